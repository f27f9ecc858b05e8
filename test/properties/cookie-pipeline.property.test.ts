/**
 * Properties of the cookie pipeline, over random traffic: sequences of
 * Set-Cookie lines and Cookie headers, good and bad, from random hosts and
 * schemes under a few domains, told to a JarActor one by one (a second apart
 * on the actor's clock, so cookies expire as the sequence goes on):
 *
 * - nothing throws: every event is taken, every query answers;
 * - the jar never holds a cookie a browser would refuse: each held cookie is
 *   checked against the URL of the header that wrote it (domain-match, public
 *   suffixes, Secure only from a secure origin, prefixes, SameSite=None only
 *   with Secure, size, expiry);
 * - the jar is what its changes say, and each change carries the value its
 *   header said: the latest value per (domain, path, name) is the last
 *   accepted header's;
 * - each Set-Cookie line does what tough-cookie's own CookieJar, with the
 *   browser rules it lacks on top, says a browser would do with it
 *   (browser-oracle.ts), and a Cookie header adds the pairs the jar did not
 *   know, host-only at path /.
 */
import fc from 'fast-check';
import { Cookie } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import type { ActorTimers } from '../../src/actors/actor-timers.ts';
import type { CookieChange, CookieRefusal } from '../../src/actors/cookie-change.ts';
import { JarActor } from '../../src/actors/jar-actor.ts';
import type { CookieEvent } from '../../src/cookie-event.ts';
import type { SerializedCookie } from '../../src/store/jar-store.ts';
import { MemoryJarStore } from '../../src/store/memory-jar-store.ts';
import { trafficEvent, urlText, type TrafficEvent } from './cookie-arbitraries.ts';
import { brokenRules, cookieHost, headerPairs, isSecureOrigin, judge, MAX_NAME_VALUE_BYTES } from './browser-oracle.ts';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const STEP_MS = 1000;

/** No timer ever fires: expiry happens as messages are processed, and commits are not needed in memory. */
const NO_TIMERS: ActorTimers = {
  setTimeout: () => () => undefined,
  setImmediate: (callback) => {
    setImmediate(callback);
  },
};

const keyOf = (cookie: { readonly domain?: string; readonly path?: string; readonly key: string }): string => JSON.stringify([cookie.domain, cookie.path, cookie.key]);

function byKey(cookies: readonly SerializedCookie[]): Map<string, SerializedCookie> {
  return new Map(cookies.map((cookie) => [keyOf(cookie), cookie]));
}

interface Writer {
  readonly url: string;
  readonly source: 'response' | 'request';
}

/** Runs one sequence and checks every property after every event. */
async function check(events: readonly TrafficEvent[]): Promise<void> {
  let now = T0;
  const changes: CookieChange[] = [];
  const refusals: CookieRefusal[] = [];
  const actor = JarActor.open({
    store: new MemoryJarStore(),
    now: () => now,
    timers: NO_TIMERS,
    onChange: (change) => changes.push(change),
    onRefused: (refusal) => refusals.push(refusal),
  });
  // The jar as its changes describe it, and which header last wrote each cookie.
  const model = new Map<string, SerializedCookie>();
  const writers = new Map<string, Writer>();
  let folded = 0;
  const fold = (): void => {
    for (; folded < changes.length; folded += 1) {
      const change = changes[folded];
      if (change === undefined) continue;
      const key = keyOf(change.cookie);
      if (change.type === 'added' || change.type === 'updated') {
        model.set(key, change.cookie);
        if (change.url !== null && (change.source === 'response' || change.source === 'request')) writers.set(key, { url: change.url, source: change.source });
      } else {
        model.delete(key);
        writers.delete(key);
      }
    }
  };

  try {
    for (const [index, traffic] of events.entries()) {
      now = T0 + (index + 1) * STEP_MS;
      const url = urlText(traffic.url);
      // The query lets the actor expire what is due by now, before the event.
      const before = byKey(await actor.cookies());
      fold();
      const changesBefore = changes.length;
      const refusalsBefore = refusals.length;
      const event: CookieEvent = {
        source: traffic.source,
        scheme: traffic.url.scheme,
        host: cookieHost(url),
        port: traffic.url.scheme === 'https' ? 443 : 80,
        url,
        header: traffic.header,
        client: '127.0.0.1:1',
        at: now,
      };
      expect(actor.tell(event)).toBe(true);
      const after = byKey(await actor.cookies());
      const stepChanges = changes.slice(changesBefore);
      fold();
      const context = `event ${index}: ${traffic.source} ${url} ${JSON.stringify(traffic.header).slice(0, 200)}`;

      // The jar is what its changes say.
      expect([...after.entries()].sort(), context).toEqual([...model.entries()].sort());

      // Every held cookie is one a browser would hold, judged by the URL that wrote it.
      for (const [key, cookie] of after) {
        const writer = writers.get(key);
        expect(writer, `${context}: no header wrote ${key}`).toBeDefined();
        if (writer === undefined) continue;
        expect(brokenRules(cookie, writer.url, writer.source, now), `${context}: ${key}`).toEqual([]);
      }

      // Each change of this step carries the value its header said.
      for (const change of stepChanges) {
        expect(change.source, context).toBe(traffic.source);
        if (change.type === 'added' || change.type === 'updated') {
          if (traffic.source === 'response') expect(change.cookie.value, context).toBe(Cookie.parse(traffic.header, { loose: false })?.value);
          else expect(headerPairs(traffic.header).get(change.cookie.key), context).toContain(change.cookie.value);
        }
      }

      if (traffic.source === 'response') checkSetCookie(traffic.header, url, now, before, after, stepChanges, refusals.length - refusalsBefore, context);
      else checkCookieHeader(traffic.header, url, before, after, context);
    }
  } finally {
    await actor.close();
  }
}

function checkSetCookie(
  line: string,
  url: string,
  now: number,
  before: ReadonlyMap<string, SerializedCookie>,
  after: ReadonlyMap<string, SerializedCookie>,
  stepChanges: readonly CookieChange[],
  newRefusals: number,
  context: string,
): void {
  const secureNames = new Set([...before.values()].filter((cookie) => cookie.secure === true).map((cookie) => cookie.key));
  const verdict = judge(line, url, now, secureNames);
  const why = `${context} (oracle: ${verdict.kind}${verdict.kind === 'store' ? '' : `, ${verdict.why}`})`;
  if (verdict.kind === 'refuse') {
    expect(stepChanges, why).toEqual([]);
    expect(newRefusals, why).toBe(1);
    expect([...after.keys()].sort(), why).toEqual([...before.keys()].sort());
  } else if (verdict.kind === 'store') {
    expect(newRefusals, why).toBe(0);
    const held = after.get(keyOf({ domain: verdict.domain, path: verdict.path, key: verdict.name }));
    if (verdict.expired) {
      expect(held, why).toBeUndefined();
    } else {
      expect(held, why).toBeDefined();
      expect({ value: held?.value, secure: held?.secure === true, hostOnly: held?.hostOnly === true }, why).toEqual({
        value: verdict.value,
        secure: verdict.secure,
        hostOnly: verdict.hostOnly,
      });
    }
  }
}

function checkCookieHeader(header: string, url: string, before: ReadonlyMap<string, SerializedCookie>, after: ReadonlyMap<string, SerializedCookie>, context: string): void {
  const heldNames = new Set([...before.values()].map((cookie) => cookie.key));
  const host = cookieHost(url);
  for (const [name, values] of headerPairs(header)) {
    // A name the jar knew in any form may be left alone (a Set-Cookie cookie is never overwritten); a new one is added.
    if (heldNames.has(name)) continue;
    const prefixed = /^__(secure|host)-/i.test(name);
    const held = after.get(keyOf({ domain: host, path: '/', key: name }));
    const tooLarge = Buffer.byteLength(name) + Buffer.byteLength(values[0] ?? '') > MAX_NAME_VALUE_BYTES;
    if ((prefixed && !isSecureOrigin(url)) || tooLarge) {
      expect(held, `${context}: ${name}`).toBeUndefined();
    } else {
      expect(held, `${context}: ${name}`).toMatchObject({ value: values[0], hostOnly: true, path: '/' });
      expect(held?.secure === true, `${context}: ${name}`).toBe(prefixed);
    }
  }
}

describe('the cookie pipeline, over random traffic', () => {
  it('throws nothing, holds only what a browser would, and keeps the latest accepted value of each cookie', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(trafficEvent, { minLength: 1, maxLength: 25 }), async (events) => {
        await check(events);
      }),
      { numRuns: 300 },
    );
  });

  it('holds its properties for traffic that keeps coming back to one cookie', async () => {
    // Few names, few hosts: the same (domain, path, name) is set, replaced, deleted and refused over and over.
    const focused = fc.array(trafficEvent.filter((event) => /^(sid|__Host-h|__Secure-s)=|^sid;/.test(event.header) || event.source === 'request'), { minLength: 5, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(focused, async (events) => {
        await check(events);
      }),
      { numRuns: 100 },
    );
  });
});
