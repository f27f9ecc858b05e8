/**
 * The jar actor's test harness: events as a worker reports them, an actor on
 * a MemoryJarStore with every report collected, and the fake clock (setTimeout
 * and Date faked at T0; setImmediate real, since the mailbox runs on it).
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { CookieChange, CookieRefusal, SerializedCookie } from '../../src/actors/cookie-change.ts';
import { JarActor, type JarActorOptions } from '../../src/actors/jar-actor.ts';
import type { CookieEvent } from '../../src/cookie-event.ts';
import type { JarsyncError } from '../../src/errors.ts';
import type { StoredCookie } from '../../src/store/jar-store.ts';
import { MemoryJarStore } from '../../src/store/memory-jar-store.ts';

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');
export const CLIENT = '127.0.0.1:50000';
export const WWW = 'https://www.example.com/';

export function event(source: CookieEvent['source'], url: string, header: string, at = Date.now()): CookieEvent {
  const parsed = new URL(url);
  return {
    source,
    scheme: parsed.protocol === 'https:' ? 'https' : 'http',
    host: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    url,
    header,
    client: CLIENT,
    at,
  };
}

export const response = (url: string, header: string, at?: number): CookieEvent => event('response', url, header, at);
export const request = (url: string, header: string, at?: number): CookieEvent => event('request', url, header, at);

export interface Harness {
  readonly actor: JarActor;
  readonly store: MemoryJarStore;
  readonly changes: CookieChange[];
  readonly refusals: CookieRefusal[];
  readonly storeErrors: JarsyncError[];
  /** Tells every event and waits until the actor has processed them. */
  tell(...events: CookieEvent[]): Promise<void>;
}

const opened: JarActor[] = [];

export function openJar(options: Partial<JarActorOptions> & { readonly records?: readonly StoredCookie[] } = {}): Harness {
  const changes: CookieChange[] = [];
  const refusals: CookieRefusal[] = [];
  const storeErrors: JarsyncError[] = [];
  const store = new MemoryJarStore({ records: options.records ?? [] });
  const actor = JarActor.open({
    store,
    onChange: (change) => changes.push(change),
    onRefused: (refusal) => refusals.push(refusal),
    onStoreError: (error) => storeErrors.push(error),
    ...options,
  });
  opened.push(actor);
  return {
    actor,
    store,
    changes,
    refusals,
    storeErrors,
    async tell(...events) {
      for (const item of events) expect(actor.tell(item)).toBe(true);
      // A query goes through the mailbox behind the events: when it answers, they are applied.
      await actor.cookies();
    },
  };
}

/** Lets promise chains started by a (fake) timer run to their end. */
export const nextMacrotask = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

export const names = (cookies: readonly SerializedCookie[]): string[] => cookies.map((cookie) => `${cookie.key}=${cookie.value}`);

/** Fakes the clock around every test of the calling file, and closes the actors the test left running. */
export function useJarClock(): void {
  beforeEach(() => {
    // setImmediate stays real: the mailbox runs its slices on it.
    vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  afterEach(async () => {
    // Tests that close an actor themselves check how it went.
    for (const actor of opened.splice(0)) if (actor.status === 'running') await actor.close();
    vi.useRealTimers();
  });
}
