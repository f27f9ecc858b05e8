/**
 * The cookie path, measured: CookieEvents through the jar actor, applied and
 * committed, in memory and to SQLite.
 *
 *   workload (events made up front) ──tell()──▶ JarActor ──commit──▶ MemoryJarStore | SqliteJarStore
 *                                                              └── TimedStore notes when each commit lands
 *
 * Throughput scenarios tell a fixed number of events as fast as the mailbox
 * takes them (a producer that yields to the event loop between bursts, as the
 * worker batches arrive) and stop the clock when `flush()` has committed the
 * last one. The latency scenario tells events at a steady rate and measures,
 * for each, the time from `tell` to the end of the commit that holds it.
 *
 * Workloads, modelled on what a browser's traffic through the proxy carries:
 * - `set-cookie-changing`: Set-Cookie lines across 1,000 hosts × 4 names whose
 *   value changes every time (session ids, CSRF tokens, analytics ids);
 * - `set-cookie-repeat`: the same lines again, identical (most responses
 *   repeat what the jar holds): nothing changes, nothing is written;
 * - `cookie-header`: Cookie headers of 10 pairs for those hosts, as a browser
 *   sends them, with one pair in ten new each time (the hard case);
 * - `cookie-header-repeat`: the headers the jar already holds, again (what a
 *   browser sends with every request until a cookie changes);
 * - `mixed`: browsers on those hosts, 35 % Set-Cookie lines that change,
 *   25 % that repeat, 40 % Cookie headers with the browser's current values
 *   (see browsingEvents).
 *
 * Each throughput scenario runs three times and reports its median run.
 *
 * Run: `npx node bench/cookie-path.ts` (about a minute), `--quick` for a
 * smoke run, `--only=cookie-header:sqlite,latency` for some scenarios (to
 * profile one with `node --cpu-prof`). Prints a table, then the results as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { JarActor } from '../src/actors/jar-actor.ts';
import type { CookieEvent } from '../src/cookie-event.ts';
import type { JarCommit, JarStore, StoredCookie } from '../src/store/jar-store.ts';
import { MemoryJarStore } from '../src/store/memory-jar-store.ts';
import { SqliteJarStore } from '../src/store/sqlite-jar-store.ts';

export type StoreKind = 'memory' | 'sqlite';
export type WorkloadName = 'set-cookie-changing' | 'set-cookie-repeat' | 'cookie-header' | 'cookie-header-repeat' | 'mixed';

export interface ThroughputResult {
  readonly workload: WorkloadName;
  readonly store: StoreKind;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU time (user + system) of the whole process per event, in µs. */
  readonly cpuMicrosPerEvent: number;
  readonly changes: number;
  readonly commits: number;
}

export interface LatencyResult {
  readonly store: StoreKind;
  readonly targetRate: number;
  readonly events: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface CookiePathResults {
  readonly node: string;
  /** The machine's 1-minute load average before and after the run: other work on a shared machine skews every number. */
  readonly loadAverage: readonly [number, number];
  readonly throughput: readonly ThroughputResult[];
  readonly latency: readonly LatencyResult[];
}

export interface CookiePathOptions {
  /** Only these throughput scenarios, as `workload:store` (for profiling one); defaults to all. */
  readonly only?: readonly string[];
  /** Events per throughput scenario. Defaults to 100,000. */
  readonly events?: number;
  /** Runs of each throughput scenario; the median is reported (the machine is shared and noisy). Defaults to 3. */
  readonly repeat?: number;
  /** Seconds of steady load in the latency scenario. Defaults to 5. */
  readonly latencySeconds?: number;
  /** Events per second in the latency scenario. Defaults to 10,000. */
  readonly latencyRate?: number;
}

const HOSTS = 1000;
const CLIENT = '127.0.0.1:50000';
/** A fixed date, so that a repeated Expires line is identical. */
const EXPIRES = 'Wed, 01 Jan 2031 00:00:00 GMT';
const REQUEST_ONLY = ['_gid', 'theme', 'lang', 'consent', 'tz', '_last'] as const;

/** Hosts under example.com (reserved for examples), so the public suffix list is consulted as for real sites. */
function hostOf(index: number): { readonly host: string; readonly site: string } {
  const site = `site${index % HOSTS}.example.com`;
  return { host: `www.${site}`, site };
}

function responseEvent(host: string, path: string, header: string, at: number): CookieEvent {
  return { source: 'response', scheme: 'https', host, port: 443, url: `https://${host}${path}`, header, client: CLIENT, at };
}

function requestEvent(host: string, path: string, header: string, at: number): CookieEvent {
  return { source: 'request', scheme: 'https', host, port: 443, url: `https://${host}${path}`, header, client: CLIENT, at };
}

/** The four Set-Cookie lines a host sends, with `value` in each (a counter makes it change). */
function setCookieLines(site: string, value: string): string[] {
  return [
    `sid=${value}; Path=/; Secure; HttpOnly; SameSite=Lax`,
    `_ga=GA1.2.${value}.1700000000; Domain=${site}; Path=/; Expires=${EXPIRES}`,
    `csrf=${value}; Path=/; Secure; SameSite=Strict`,
    `pref=v${value}; Path=/; Expires=${EXPIRES}`,
  ];
}

/** Set-Cookie lines whose values change every time, round-robin over hosts and names. */
function changingEvents(count: number, seed: number, at: () => number): CookieEvent[] {
  const events: CookieEvent[] = [];
  for (let index = 0; events.length < count; index += 1) {
    const { host, site } = hostOf(index);
    const lines = setCookieLines(site, `${seed}x${index}`);
    const line = lines[Math.floor(index / HOSTS) % lines.length] ?? '';
    events.push(responseEvent(host, '/account/page', line, at()));
  }
  return events;
}

/** Every host's four lines with value `value`: to fill the jar, and to repeat. */
function repeatEvents(count: number, value: string, at: number): CookieEvent[] {
  const events: CookieEvent[] = [];
  for (let index = 0; events.length < count; index += 1) {
    const { host, site } = hostOf(index);
    const lines = setCookieLines(site, value);
    events.push(responseEvent(host, '/account/page', lines[Math.floor(index / HOSTS) % lines.length] ?? '', at));
  }
  return events;
}

/**
 * A browser's Cookie header for a host: the four Set-Cookie cookies and six
 * of its own, one of which (`_last`) is new each time when `changing`, and
 * otherwise the host's value of round `seed` again.
 */
function headerEvents(count: number, value: string, seed: number, at: number, changing = true): CookieEvent[] {
  const events: CookieEvent[] = [];
  for (let index = 0; events.length < count; index += 1) {
    const { host } = hostOf(index);
    const last = `${seed}x${changing ? index : index % HOSTS}`;
    const own = REQUEST_ONLY.map((name) => `${name}=${name === '_last' ? last : 'client'}`);
    const header = [`sid=${value}`, `_ga=GA1.2.${value}.1700000000`, `csrf=${value}`, `pref=v${value}`, ...own].join('; ');
    events.push(requestEvent(host, '/account/page', header, at));
  }
  return events;
}

/**
 * The events as the jar actor receives them: structured-cloned, as they
 * arrive from the connection workers over a MessagePort (flat strings, each
 * event its own copy), not as the template literals that made them.
 */
function workload(name: WorkloadName, count: number, at: number): CookieEvent[] {
  return structuredClone(madeUp(name, count, at));
}

function madeUp(name: WorkloadName, count: number, at: number): CookieEvent[] {
  switch (name) {
    case 'set-cookie-changing':
      return changingEvents(count, 1, () => at);
    case 'set-cookie-repeat':
      return repeatEvents(count, 'warm', at);
    case 'cookie-header':
      return headerEvents(count, 'warm', 1, at);
    case 'cookie-header-repeat':
      // What the jar was filled with: the headers a browser sends until a cookie changes.
      return headerEvents(count, 'warm', 0, at, false);
    case 'mixed':
      return browsingEvents(count, at);
  }
}

/**
 * Browsers on the 1,000 hosts, each host's cookies followed as its browser
 * holds them, so that a repeat is a repeat and a header carries what the
 * browser was last sent:
 * - 35 %: a response rotates the host's session id or CSRF token (a Set-Cookie that changes);
 * - 25 %: a response sends its analytics or preference cookie again, as held (a Set-Cookie that does not);
 * - 40 %: a request carries the host's Cookie header of 10 pairs, with the
 *   current values; in one request in four, one of the browser's own cookies changed.
 * Every host sees every kind, in turn.
 */
function browsingEvents(count: number, at: number): CookieEvent[] {
  // What the jar was filled with (see throughput): the 'warm' lines and headers of round 0.
  const browsers = Array.from({ length: HOSTS }, (_, host) => ({ sid: 'warm', csrf: 'warm', last: `0x${host}` }));
  const events: CookieEvent[] = [];
  for (let index = 0; events.length < count; index += 1) {
    const { host, site } = hostOf(index);
    const browser = browsers[index % HOSTS];
    if (browser === undefined) continue;
    const round = Math.floor(index / HOSTS);
    const pick = (index + 7 * round) % 20;
    const [, ga, , pref] = setCookieLines(site, 'warm');
    if (pick < 7) {
      const value = `r${index}`;
      if (round % 2 === 0) browser.sid = value;
      else browser.csrf = value;
      const [newSid, , newCsrf] = setCookieLines(site, value);
      events.push(responseEvent(host, '/account/page', (round % 2 === 0 ? newSid : newCsrf) ?? '', at));
    } else if (pick < 12) {
      events.push(responseEvent(host, '/account/page', (round % 2 === 0 ? ga : pref) ?? '', at));
    } else {
      if (index % 4 === 0) browser.last = `m${index}`;
      const own = REQUEST_ONLY.map((name) => `${name}=${name === '_last' ? browser.last : 'client'}`);
      const header = [`sid=${browser.sid}`, `_ga=GA1.2.warm.1700000000`, `csrf=${browser.csrf}`, 'pref=vwarm', ...own].join('; ');
      events.push(requestEvent(host, '/account/page', header, at));
    }
  }
  return events;
}

/** A store that notes, for each commit, how many events the actor had processed when it began, and when it landed. */
class TimedStore implements JarStore {
  readonly #inner: JarStore;
  readonly landed: { readonly upTo: number; readonly at: number }[] = [];
  processed: () => number = () => 0;

  constructor(inner: JarStore) {
    this.#inner = inner;
  }

  load(): Promise<readonly StoredCookie[]> {
    return this.#inner.load();
  }

  async commit(batch: JarCommit): Promise<void> {
    const upTo = this.processed();
    await this.#inner.commit(batch);
    this.landed.push({ upTo, at: performance.now() });
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

interface Opened {
  readonly actor: JarActor;
  readonly store: TimedStore;
  changes: number;
  readonly dispose: () => Promise<void>;
}

function openActor(kind: StoreKind): Opened {
  let dir: string | null = null;
  let inner: JarStore;
  if (kind === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'jarsync-bench-'));
    inner = SqliteJarStore.open(join(dir, 'jar.db'));
  } else {
    inner = new MemoryJarStore();
  }
  const store = new TimedStore(inner);
  const opened: Opened = {
    actor: JarActor.open({
      store,
      onChange: () => {
        opened.changes += 1;
      },
    }),
    store,
    changes: 0,
    dispose: async () => {
      await opened.actor.close();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
  store.processed = () => opened.actor.stats().events;
  return opened;
}

const yieldToLoop = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/** Tells every event, in bursts, waiting for room when the mailbox is full. */
async function feed(actor: JarActor, events: readonly CookieEvent[]): Promise<void> {
  const burst = 1000;
  let index = 0;
  while (index < events.length) {
    const end = Math.min(index + burst, events.length);
    while (index < end) {
      const next = events[index];
      if (next === undefined || !actor.tell(next)) break;
      index += 1;
    }
    await yieldToLoop();
  }
}

async function throughput(name: WorkloadName, kind: StoreKind, count: number): Promise<ThroughputResult> {
  const at = Date.now();
  // Made first, so that they are old (promoted out of the young generation) by the time the clock runs.
  const events = workload(name, count, at);
  const opened = openActor(kind);
  try {
    // Every workload starts from a jar that holds what the hosts set.
    await feed(opened.actor, repeatEvents(HOSTS * 4, 'warm', at));
    await feed(opened.actor, headerEvents(HOSTS, 'warm', 0, at));
    await opened.actor.flush();
    const changesBefore = opened.changes;
    const commitsBefore = opened.store.landed.length;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await feed(opened.actor, events);
    await opened.actor.flush();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      workload: name,
      store: kind,
      events: count,
      seconds: round(seconds, 3),
      eventsPerSecond: Math.round(count / seconds),
      cpuMicrosPerEvent: round((cpu.user + cpu.system) / count, 2),
      changes: opened.changes - changesBefore,
      commits: opened.store.landed.length - commitsBefore,
    };
  } finally {
    await opened.dispose();
  }
}

async function latency(kind: StoreKind, rate: number, seconds: number): Promise<LatencyResult> {
  const opened = openActor(kind);
  try {
    await feed(opened.actor, repeatEvents(HOSTS * 4, 'warm', Date.now()));
    await opened.actor.flush();
    const total = Math.round(rate * seconds);
    // Made up front so that making them costs the steady load nothing; `at` is set when told.
    const events = structuredClone(changingEvents(total, 7, () => 0));
    const toldAt = new Float64Array(total);
    const base = opened.actor.stats().events;
    let sent = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - started) / 1000) * rate));
        const wall = Date.now();
        for (; sent < due; sent += 1) {
          const event = events[sent];
          if (event === undefined) break;
          toldAt[sent] = now;
          opened.actor.tell({ ...event, at: wall });
        }
        if (sent >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await opened.actor.flush();
    const latencies: number[] = [];
    let commit = 0;
    const landed = opened.store.landed;
    for (let index = 0; index < total; index += 1) {
      while (commit < landed.length && (landed[commit]?.upTo ?? Infinity) - base <= index) commit += 1;
      const when = landed[commit]?.at;
      if (when !== undefined) latencies.push(when - (toldAt[index] ?? 0));
    }
    latencies.sort((a, b) => a - b);
    return {
      store: kind,
      targetRate: rate,
      events: total,
      seconds,
      p50Ms: round(percentile(latencies, 0.5), 1),
      p99Ms: round(percentile(latencies, 0.99), 1),
      maxMs: round(latencies.at(-1) ?? NaN, 1),
    };
  } finally {
    await opened.dispose();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export async function runCookiePath(options: CookiePathOptions = {}): Promise<CookiePathResults> {
  const loadBefore = round(loadavg()[0] ?? NaN, 2);
  const count = options.events ?? 100_000;
  // A discarded round first, so that the first scenario measured does not also pay for JIT compilation.
  await throughput('mixed', 'memory', Math.min(count, 20_000));
  const results: ThroughputResult[] = [];
  const workloads: readonly WorkloadName[] = ['set-cookie-changing', 'set-cookie-repeat', 'cookie-header', 'cookie-header-repeat', 'mixed'];
  for (const kind of ['memory', 'sqlite'] as const) {
    for (const name of workloads) {
      if (options.only !== undefined && !options.only.includes(`${name}:${kind}`)) continue;
      const runs: ThroughputResult[] = [];
      for (let run = 0; run < (options.repeat ?? 3); run += 1) runs.push(await throughput(name, kind, count));
      runs.sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
      const median = runs[Math.floor(runs.length / 2)];
      if (median !== undefined) results.push(median);
    }
  }
  const latencies: LatencyResult[] = [];
  if (options.only === undefined || options.only.includes('latency')) {
    latencies.push(await latency('sqlite', options.latencyRate ?? 10_000, options.latencySeconds ?? 5));
  }
  return { node: process.version, loadAverage: [loadBefore, round(loadavg()[0] ?? NaN, 2)], throughput: results, latency: latencies };
}

function printTable(results: CookiePathResults): void {
  const lines = [
    `node ${results.node}, load average ${results.loadAverage[0]} before and ${results.loadAverage[1]} after`,
    'workload              store    events/s  µs cpu/event  changes  commits',
    ...results.throughput.map(
      (row) =>
        `${row.workload.padEnd(22)}${row.store.padEnd(9)}${String(row.eventsPerSecond).padStart(8)}${row.cpuMicrosPerEvent.toFixed(2).padStart(14)}${String(row.changes).padStart(9)}${String(row.commits).padStart(9)}`,
    ),
    '',
    'steady load           store    events/s  p50 ms  p99 ms  max ms',
    ...results.latency.map(
      (row) =>
        `${'set-cookie-changing'.padEnd(22)}${row.store.padEnd(9)}${String(row.targetRate).padStart(8)}${row.p50Ms.toFixed(1).padStart(8)}${row.p99Ms.toFixed(1).padStart(8)}${row.maxMs.toFixed(1).padStart(8)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

if (import.meta.main) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length).split(',');
  const results = await runCookiePath({ ...(quick ? { events: 10_000, latencySeconds: 1, repeat: 1 } : {}), ...(only === undefined ? {} : { only }) });
  printTable(results);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
