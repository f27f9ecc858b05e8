/**
 * The pipeline in front of a real jar actor whose mailbox is tiny and paused:
 * every event the mailbox refuses waits in the backlog, in order, and reaches
 * the jar when it goes on; past the high-water mark the shared flag is raised
 * for the workers, and cleared at the low-water mark; an event even the
 * backlog has no room for is counted and logged.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActorTimers } from '../../src/actors/actor-timers.ts';
import { NODE_TIMERS } from '../../src/actors/actor-timers.ts';
import { JarActor } from '../../src/actors/jar-actor.ts';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';
import { MemoryJarStore } from '../../src/store/memory-jar-store.ts';
import { CookiePipeline } from '../../src/supervisor/cookie-pipeline.ts';
import { response } from '../actors/jar-harness.ts';

/** The actor's mailbox slices wait in a queue while paused: a jar that does nothing. */
function pausable(): { timers: ActorTimers; resume(): void; pause(): void } {
  const waiting: (() => void)[] = [];
  let paused = true;
  return {
    timers: {
      setTimeout: NODE_TIMERS.setTimeout,
      setImmediate: (callback) => {
        if (paused) waiting.push(callback);
        else setImmediate(callback);
      },
    },
    resume: () => {
      paused = false;
      for (const callback of waiting.splice(0)) setImmediate(callback);
    },
    pause: () => {
      paused = true;
    },
  };
}

const opened: { jar: JarActor; pipeline: CookiePipeline }[] = [];

function setUp(marks: { backlogCapacity: number; holdHighWater: number; holdLowWater: number }, mailboxCapacity = 4, now?: () => number) {
  const logs: string[] = [];
  const clock = pausable();
  const pipeline = new CookiePipeline({ domains: [parseDomainRule('example.com')], ...marks, log: (level, message) => logs.push(`${level}: ${message}`), ...(now === undefined ? {} : { now }) });
  const jar = JarActor.open({ store: new MemoryJarStore(), mailboxCapacity, timers: clock.timers, onRoom: pipeline.roomMade, onChange: pipeline.changed });
  pipeline.connect(jar);
  opened.push({ jar, pipeline });
  const flag = new Int32Array(pipeline.holdBuffer);
  return { pipeline, jar, clock, logs, flag };
}

afterEach(async () => {
  for (const { jar, pipeline } of opened.splice(0)) {
    await jar.close();
    pipeline.complete();
  }
});

/** One instant for every header: only the order they reach the jar in can decide between them. */
const AT = Date.now();
const setCookie = (name: string, value: string) => response('https://www.example.com/', `${name}=${value}; Path=/; Max-Age=3600`, AT);

describe('the jar backlog behind a paused jar', () => {
  it('loses no event: what the mailbox refuses waits, and the jar gets it all when it goes on', async () => {
    const { pipeline, jar, clock, flag } = setUp({ backlogCapacity: 50, holdHighWater: 10, holdLowWater: 2 });
    pipeline.push(Array.from({ length: 30 }, (_, index) => setCookie(`c${index}`, `v${index}`)));
    expect(jar.stats().mailbox.size).toBe(4);
    expect(pipeline.counts).toMatchObject({ received: 30, synced: 30, size: 26, held: 26, lost: 0, hold: { engaged: true, times: 1 } });
    expect(Atomics.load(flag, 0)).toBe(1);

    clock.resume();
    expect(await pipeline.settled(5_000)).toBe(true);
    await vi.waitFor(() => {
      expect(Atomics.load(flag, 0)).toBe(0);
    });
    const names = (await jar.cookies()).map((cookie) => cookie.key).sort();
    expect(names).toEqual(Array.from({ length: 30 }, (_, index) => `c${index}`).sort());
    expect(jar.stats()).toMatchObject({ events: 30, mailbox: { refused: 0 } });
    expect(pipeline.counts).toMatchObject({ size: 0, peak: 26, held: 26, lost: 0, hold: { engaged: false, times: 1 } });
    expect(pipeline.counts.hold.engagedMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the order: the last of many values seen in the same millisecond wins', async () => {
    const { pipeline, jar, clock } = setUp({ backlogCapacity: 500, holdHighWater: 400, holdLowWater: 10 }, 2);
    pipeline.push(Array.from({ length: 200 }, (_, index) => setCookie('same', `v${index}`)));
    expect(pipeline.counts.size).toBe(198);
    clock.resume();
    await pipeline.settled(5_000);
    await jar.flush();
    expect((await jar.cookies()).map((cookie) => `${cookie.key}=${cookie.value}`)).toEqual(['same=v199']);
    expect(jar.stats()).toMatchObject({ events: 200, stale: 0, applied: { added: 1, updated: 199 } });
  });

  it('lifts the hold only at the low-water mark', async () => {
    const { pipeline, jar, clock, flag } = setUp({ backlogCapacity: 100, holdHighWater: 20, holdLowWater: 5 }, 1);
    pipeline.push(Array.from({ length: 30 }, (_, index) => setCookie(`c${index}`, 'v')));
    expect(Atomics.load(flag, 0)).toBe(1);
    // One event per slice: the backlog falls by one per slice, and the flag stays up until 5 wait.
    const seen: [number, number][] = [];
    const sample = setInterval(() => seen.push([pipeline.counts.size, Atomics.load(flag, 0)]), 0);
    clock.resume();
    await pipeline.settled(5_000);
    clearInterval(sample);
    await jar.flush();
    for (const [size, raised] of seen) if (size > 5) expect(raised).toBe(1);
    expect(Atomics.load(flag, 0)).toBe(0);
    expect(jar.stats().events).toBe(30);
  });

  it('counts and logs an event the full backlog cannot keep, never silently', async () => {
    const { pipeline, jar, clock, logs } = setUp({ backlogCapacity: 10, holdHighWater: 8, holdLowWater: 2 });
    pipeline.push(Array.from({ length: 20 }, (_, index) => setCookie(`c${index}`, 'v')));
    expect(pipeline.counts).toMatchObject({ size: 10, lost: 6 });
    expect(logs.filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/backlog is full \(10 cookie events\)/);
    clock.resume();
    await pipeline.settled(5_000);
    await vi.waitFor(() => {
      expect(logs.join('\n')).toMatch(/6 cookie event\(s\) were lost/);
    });
    await jar.flush();
    expect(jar.stats().events).toBe(14);
  });

  it('logs a hold that comes and goes at most every 10 s, and counts every one', async () => {
    const time = { now: 0 };
    const { pipeline, clock, logs } = setUp({ backlogCapacity: 100, holdHighWater: 5, holdLowWater: 1 }, 1, () => time.now);
    const hold = async (): Promise<void> => {
      clock.pause();
      pipeline.push(Array.from({ length: 8 }, (_, index) => setCookie(`c${index}`, String(time.now))));
      clock.resume();
      await pipeline.settled(5_000);
    };
    await hold();
    time.now = 5_000;
    await hold();
    time.now = 12_000;
    await hold();
    expect(pipeline.counts.hold.times).toBe(3);
    const warnings = logs.filter((line) => line.startsWith('warn:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/\(1 shorter holds since the last report\)$/);
    expect(logs.filter((line) => line.startsWith('info:'))).toHaveLength(2);
  });
});
