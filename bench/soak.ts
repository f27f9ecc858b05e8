/**
 * The soak: minutes of mixed HTTP and HTTPS traffic through jarsync (the real
 * CLI in a child process) from many clients at a steady rate, against an
 * origin whose responses set, change and delete cookies with values never
 * seen before; then the jar is compared with what the origin sent last for
 * every (domain, path, name), live (admin API) and on disk after a clean stop
 * (`jarsync cookies`), and every event is accounted for.
 *
 *   node bench/soak.ts [--minutes=10] [--clients=64] [--rate=300] [--https-share=0.5]
 *                      [--requests-per-connection=100] [--workers=N] [--out=FILE]
 *                      [--jarsync=--flag=value …] (more flags for `jarsync start`, e.g.
 *                      --jarsync=--mailbox-capacity=16 to run with the jar's back-pressure engaged)
 *
 *   origin (this process) ◀── jarsync (child, by PID, under prlimit) ◀── clients (this process)
 *        └─ ledger: last value per cookie, lines by kind        └─ /api/status every 10 s: RSS, backlog, hold
 *
 * Exits 0 when nothing was lost and nothing unexpected happened (no request
 * error, no refused or stale cookie, every count matching), else 1. Not part
 * of `npm test`. Needs bench/setup.sh's origin certificate (bench/.state/origin).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { missingOriginFiles, originFiles } from './origin/origin-files.ts';
import { stopAllChildren } from './process/child.ts';
import { startJarsync } from './process/jarsync-process.ts';
import type { JarsyncProcess } from './process/jarsync-process.ts';
import { processCpuMicros, processRssBytes } from './process/proc-stat.ts';
import { compareJar, isExact } from './soak/jar-compare.ts';
import type { JarComparison, JarCookie } from './soak/jar-compare.ts';
import { runSoakClients } from './soak/soak-clients.ts';
import { startSoakOrigin } from './soak/soak-origin.ts';
import type { SoakLedger } from './soak/soak-origin.ts';

const SUFFIX = 'bench.test';
const CLI = path.join(import.meta.dirname, '..', 'src', 'cli.ts');
const SAMPLE_EVERY_MS = 10_000;
const SETTLE_TIMEOUT_MS = 60_000;
/** Far more than the soak's connections: the limit is never what fails. */
const OPEN_FILES = 65_536;

interface SoakOptions {
  readonly minutes: number;
  readonly clients: number;
  readonly rate: number;
  readonly httpsShare: number;
  readonly requestsPerConnection: number;
  readonly workers: number | null;
  readonly out: string;
  /** More flags for `jarsync start`. */
  readonly jarsyncFlags: readonly string[];
}

/** The parts of /api/status the soak reads. */
interface Status {
  readonly workers: readonly { readonly eventsSent: number; readonly requestsHeld: number; readonly requestsBusy: number; readonly restarts: number; readonly upstreamErrors: number }[];
  readonly events: {
    readonly received: number;
    readonly synced: number;
    readonly size: number;
    readonly peak: number;
    readonly held: number;
    readonly lost: number;
    readonly hold: { readonly engaged: boolean; readonly times: number; readonly engagedMs: number };
  };
  readonly jar: {
    readonly cookies: number;
    readonly events: number;
    readonly applied: Readonly<Record<string, number>>;
    readonly unchanged: number;
    readonly stale: number;
    readonly refused: Readonly<Record<string, number>>;
    readonly mailbox: { readonly size: number };
    readonly store: { readonly pendingWrites: number; readonly errors: number; readonly commits: number };
  };
}

interface Sample {
  readonly minute: number;
  readonly rssMb: number | null;
  readonly backlog: number;
  readonly mailbox: number;
  readonly held: boolean;
}

function parseArgs(argv: readonly string[]): SoakOptions {
  const value = (name: string): string | undefined => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  for (const arg of argv) {
    if (!/^--(minutes|clients|rate|https-share|requests-per-connection|workers|out|jarsync)=/.test(arg)) throw new Error(`unknown argument ${arg}`);
  }
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const text = value(name);
    const parsed = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return parsed;
  };
  const workers = value('workers');
  return {
    minutes: number('minutes', 10, 0.1, 24 * 60),
    clients: Math.round(number('clients', 64, 1, 5_000)),
    rate: number('rate', 300, 1, 100_000),
    httpsShare: number('https-share', 0.5, 0, 1),
    requestsPerConnection: Math.round(number('requests-per-connection', 100, 1, 1_000_000)),
    workers: workers === undefined ? null : Math.round(number('workers', 1, 1, 256)),
    out: value('out') ?? path.join(import.meta.dirname, 'results', 'soak-latest.json'),
    jarsyncFlags: argv.filter((arg) => arg.startsWith('--jarsync=')).map((arg) => arg.slice('--jarsync='.length)),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values: readonly number[]): number => values.reduce((total, next) => total + next, 0);

/** Waits until every event the workers sent has reached the jar and been committed. */
async function settle(jarsync: JarsyncProcess): Promise<Status> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const status = await jarsync.admin<Status>('/api/status');
    const sent = sum(status.workers.map((worker) => worker.eventsSent));
    const done = status.events.received === sent && status.events.size === 0 && status.jar.mailbox.size === 0 && status.jar.events === status.events.synced && status.jar.store.pendingWrites === 0;
    if (done || Date.now() > deadline) return status;
    await sleep(250);
  }
}

/** What must hold for the run to pass, each with what was seen. */
function verdicts(ledger: SoakLedger, status: Status, live: JarComparison, disk: JarComparison | null, errors: number, exitCode: number | null): [string, boolean][] {
  const sent = sum(status.workers.map((worker) => worker.eventsSent));
  const refused = sum(Object.values(status.jar.refused));
  return [
    [`no request failed (${errors})`, errors === 0],
    [`workers sent every line the origin sent (${sent} of ${ledger.lines})`, sent === ledger.lines],
    [`the supervisor received every event (${status.events.received})`, status.events.received === sent],
    [`the jar took every event (${status.jar.events} of ${status.events.synced} synced)`, status.jar.events === status.events.synced && status.events.synced === status.events.received],
    [`no event lost (${status.events.lost})`, status.events.lost === 0],
    [`added ${status.jar.applied['added'] ?? 0} = origin ${ledger.added}`, status.jar.applied['added'] === ledger.added],
    [`updated ${status.jar.applied['updated'] ?? 0} = origin ${ledger.updated}`, status.jar.applied['updated'] === ledger.updated],
    [`deleted ${status.jar.applied['deleted'] ?? 0} = origin ${ledger.deleted}`, status.jar.applied['deleted'] === ledger.deleted],
    [`nothing stale, unchanged or refused (${status.jar.stale}, ${status.jar.unchanged}, ${refused})`, status.jar.stale === 0 && status.jar.unchanged === 0 && refused === 0],
    [`no store error (${status.jar.store.errors})`, status.jar.store.errors === 0],
    [`no worker restarted (${sum(status.workers.map((worker) => worker.restarts))})`, status.workers.every((worker) => worker.restarts === 0)],
    [`live jar = origin's last (${live.matched} matched)`, isExact(live)],
    [`jar on disk = origin's last (${disk?.matched ?? 'not read'} matched)`, disk !== null && isExact(disk)],
    [`jarsync stopped cleanly (exit ${exitCode})`, exitCode === 0],
    [`the origin understood every request (${ledger.malformed} not)`, ledger.malformed === 0],
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const missing = missingOriginFiles();
  if (missing !== null) throw new Error(missing);
  const log = (line: string): void => {
    process.stderr.write(`soak: ${line}\n`);
  };
  const workDir = mkdtempSync(path.join(tmpdir(), 'jarsync-soak-'));
  const dataDir = path.join(workDir, 'data');
  const origin = await startSoakOrigin(SUFFIX, { cert: readFileSync(originFiles.certFile, 'utf8'), key: readFileSync(originFiles.keyFile, 'utf8') });
  let jarsync: JarsyncProcess | null = null;
  const onSignal = (): void => {
    log('interrupted; stopping what it started');
    void stopAllChildren().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    jarsync = await startJarsync({
      dataDir,
      openFiles: OPEN_FILES,
      flags: ['--domain', SUFFIX, '--resolve', `*.${SUFFIX}=127.0.0.1`, ...(options.workers === null ? [] : ['--workers', String(options.workers)]), ...options.jarsyncFlags],
      // The origin's CA through Node's own variable: the cheaper of jarsync's two ways (bench/README.md).
      env: { ...process.env, NODE_EXTRA_CA_CERTS: originFiles.caFile },
    });
    const running = jarsync;
    log(`jarsync pid ${running.pid} on ${running.proxy.host}:${running.proxy.port}; origin http ${origin.httpPort}, https ${origin.httpsPort}; ${options.clients} clients at ${options.rate} req/s for ${options.minutes} min`);

    const began = performance.now();
    const startedAt = new Date().toISOString();
    const cpuBefore = processCpuMicros(running.pid) ?? 0;
    const samples: Sample[] = [];
    let lastProgress = 0;
    const sampler = setInterval(() => {
      void running.admin<Status>('/api/status').then(
        (status) => {
          const minute = (performance.now() - began) / 60_000;
          const rss = processRssBytes(running.pid);
          samples.push({ minute, rssMb: rss === null ? null : rss / 2 ** 20, backlog: status.events.size, mailbox: status.jar.mailbox.size, held: status.events.hold.engaged });
          if (minute - lastProgress >= 1) {
            lastProgress = Math.floor(minute);
            log(`${minute.toFixed(1)} min: ${origin.ledger.responses} responses, jar ${status.jar.cookies} cookies, ${status.jar.events} events, RSS ${rss === null ? '?' : (rss / 2 ** 20).toFixed(0)} MB, mailbox ${status.jar.mailbox.size}, backlog ${status.events.size}`);
          }
        },
        (error: unknown) => {
          log(`status: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    }, SAMPLE_EVERY_MS);
    const clients = await runSoakClients({
      proxy: running.proxy,
      suffix: SUFFIX,
      httpPort: origin.httpPort,
      httpsPort: origin.httpsPort,
      caPems: [running.caPem],
      clients: options.clients,
      rate: options.rate,
      httpsShare: options.httpsShare,
      requestsPerConnection: options.requestsPerConnection,
      timeoutMs: 30_000,
      untilMs: began + options.minutes * 60_000,
    });
    clearInterval(sampler);
    const seconds = (performance.now() - began) / 1000;
    const cpuMicros = (processCpuMicros(running.pid) ?? cpuBefore) - cpuBefore;
    const status = await settle(running);
    const live = compareJar(origin.ledger.last, await running.admin<JarCookie[]>('/api/cookies'), clients.uncertain);
    const rssEnd = processRssBytes(running.pid);
    const exitCode = await running.stop();
    jarsync = null;
    let disk: JarComparison | null = null;
    try {
      const listed = execFileSync(process.execPath, [CLI, 'cookies', '--data-dir', dataDir, '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      disk = compareJar(origin.ledger.last, JSON.parse(listed) as JarCookie[], clients.uncertain);
    } catch (error) {
      log(`jarsync cookies failed: ${error instanceof Error ? error.message : String(error)}`);
    }

    const checks = verdicts(origin.ledger, status, live, disk, clients.errors.total, exitCode);
    const rss = samples.map((sample) => sample.rssMb).filter((value): value is number => value !== null);
    const report = {
      command: `node bench/soak.ts ${argv.join(' ')}`.trim(),
      startedAt,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: loadavg()[0] },
      options,
      seconds,
      requests: { sent: clients.requests, ok: clients.ok, perSecond: clients.ok / seconds, connections: clients.connections, errors: clients.errors.kinds, latency: clients.latency },
      origin: { responses: origin.ledger.responses, lines: origin.ledger.lines, added: origin.ledger.added, updated: origin.ledger.updated, deleted: origin.ledger.deleted, cookiesKnown: origin.ledger.last.size },
      events: { sent: sum(status.workers.map((worker) => worker.eventsSent)), ...status.events },
      jar: { cookies: status.jar.cookies, events: status.jar.events, applied: status.jar.applied, unchanged: status.jar.unchanged, stale: status.jar.stale, refused: status.jar.refused, commits: status.jar.store.commits },
      requestsHeld: sum(status.workers.map((worker) => worker.requestsHeld)),
      cpuMicrosPerRequest: clients.ok === 0 ? null : cpuMicros / clients.ok,
      rssMb: { first: rss[0] ?? null, min: rss.length === 0 ? null : Math.min(...rss), max: rss.length === 0 ? null : Math.max(...rss), end: rssEnd === null ? null : rssEnd / 2 ** 20 },
      samples,
      live,
      disk,
      checks: checks.map(([what, passed]) => ({ what, passed })),
    };
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${summary(report, checks)}\n`);
    log(`results: ${options.out}`);
    return checks.every(([, passed]) => passed) ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    await jarsync?.stop(5_000).catch(() => undefined);
    await stopAllChildren();
    await origin.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface ReportShape {
  readonly seconds: number;
  readonly requests: { readonly ok: number; readonly perSecond: number; readonly connections: number; readonly errors: Readonly<Record<string, number>>; readonly latency: { readonly p50Ms: number; readonly p99Ms: number } };
  readonly origin: { readonly lines: number; readonly added: number; readonly updated: number; readonly deleted: number };
  readonly jar: { readonly cookies: number; readonly events: number; readonly stale: number };
  readonly events: { readonly sent: number; readonly lost: number; readonly peak: number; readonly held: number; readonly hold: { readonly times: number; readonly engagedMs: number } };
  readonly requestsHeld: number;
  readonly cpuMicrosPerRequest: number | null;
  readonly rssMb: { readonly first: number | null; readonly max: number | null; readonly end: number | null };
  readonly samples: readonly Sample[];
}

function summary(report: ReportShape, checks: readonly [string, boolean][]): string {
  const mb = (value: number | null): string => (value === null ? '?' : value.toFixed(0));
  const perMinute = report.samples.filter((sample, index, all) => index === 0 || Math.floor(sample.minute) !== Math.floor(all[index - 1]?.minute ?? 0));
  return [
    `soak: ${(report.seconds / 60).toFixed(1)} min, ${report.requests.ok} requests ok (${report.requests.perSecond.toFixed(0)}/s) on ${report.requests.connections} connections, errors ${JSON.stringify(report.requests.errors)}`,
    `latency p50 ${report.requests.latency.p50Ms.toFixed(2)} ms, p99 ${report.requests.latency.p99Ms.toFixed(2)} ms; jarsync CPU ${report.cpuMicrosPerRequest?.toFixed(0) ?? '?'} µs/request`,
    `events: origin ${report.origin.lines} lines (${report.origin.added} set, ${report.origin.updated} changed, ${report.origin.deleted} deleted), workers sent ${report.events.sent}, jar applied ${report.jar.events}, stale ${report.jar.stale}, lost ${report.events.lost}; backlog peak ${report.events.peak}, held ${report.events.held}, holds ${report.events.hold.times} (${report.events.hold.engagedMs} ms, ${report.requestsHeld} requests held)`,
    `jar: ${report.jar.cookies} cookies at the end`,
    `RSS MB: first ${mb(report.rssMb.first)}, max ${mb(report.rssMb.max)}, end ${mb(report.rssMb.end)}; by minute ${perMinute.map((sample) => mb(sample.rssMb)).join(' ')}`,
    ...checks.map(([what, passed]) => `  ${passed ? 'ok  ' : 'FAIL'} ${what}`),
  ].join('\n');
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
