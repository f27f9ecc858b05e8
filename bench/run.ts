/**
 * jarsync's benchmarks: jarsync against a direct connection and its peers,
 * side by side, in one run on one machine.
 *
 *   npm run bench                 full run (bench/setup.sh first, then this)
 *   npm run bench -- --quick      proves the harness in under 3 minutes
 *
 *   setup.sh ─▶ origin (nginx, by PID) ─▶ for each scenario: contenders interleaved in rounds
 *            ─▶ table on stdout, bench/results/latest.json, targets met or not
 *
 * Flags: --quick; --only=a,b,c,d,e,f,g,h (scenarios); --rounds=N;
 * --contenders=direct,jarsync,jarsync-off,http-mitm-proxy,mitmdump;
 * --jarsync-workers=N (jarsync's own default otherwise); --jarsync-trust=ca-file|env
 * (how jarsync trusts the origin's CA: --ca-file, the default, or
 * NODE_EXTRA_CA_CERTS); --hey / --no-hey
 * (the hey cross-check of b; on by default in full runs only); --profile
 * (jarsync runs under --cpu-prof, profiles in bench/results/profiles/); --out=FILE.
 * Progress goes to stderr, the report to stdout.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ContenderPool } from './contenders/contender-pool.ts';
import type { Contender } from './contenders/contender.ts';
import { direct } from './contenders/direct.ts';
import { httpMitmProxy } from './contenders/http-mitm-proxy.ts';
import { jarsyncContender } from './contenders/jarsync.ts';
import type { UpstreamTrust } from './contenders/jarsync.ts';
import { mitmdump } from './contenders/mitmdump.ts';
import { NGINX_CANDIDATES, startNginxOrigin } from './origin/nginx-origin.ts';
import { missingOriginFiles, originFiles } from './origin/origin-files.ts';
import type { Origin } from './origin/origin.ts';
import { stopAllChildren } from './process/child.ts';
import { describeMachine } from './report/machine.ts';
import type { BenchResults, ScenarioResult } from './report/results.ts';
import { resultsReport } from './report/table.ts';
import { checkTargets } from './report/targets.ts';
import { runCookiePathScenario } from './scenarios/cookie-path-run.ts';
import { runFirstContactBurst, runFirstContactHosts } from './scenarios/first-contact.ts';
import { heyPath } from './load/hey-load.ts';
import { runHttpsKeepAlive } from './scenarios/https-keepalive.ts';
import { runHttpsKeepAliveHey } from './scenarios/https-keepalive-hey.ts';
import { runHttpsNewConnection } from './scenarios/https-new-connection.ts';
import { runIdleMemory } from './scenarios/idle-memory.ts';
import { runOneConnectionHttp, runOneConnectionHttps } from './scenarios/one-connection-latency.ts';
import { runPlainKeepAlive } from './scenarios/plain-keepalive.ts';
import { FULL, QUICK } from './scenarios/scale.ts';
import type { ScenarioContext } from './scenarios/scenario-context.ts';
import { runWorkers, workerContenders } from './scenarios/workers.ts';

const SCENARIOS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;
type ScenarioLetter = (typeof SCENARIOS)[number];

interface RunOptions {
  readonly quick: boolean;
  readonly only: ReadonlySet<ScenarioLetter>;
  readonly rounds: number | null;
  readonly contenders: readonly string[] | null;
  readonly jarsyncWorkers: number | null;
  readonly jarsyncTrust: UpstreamTrust;
  readonly profile: boolean;
  /** The hey cross-check of (b): null runs it in full runs only. */
  readonly hey: boolean | null;
  readonly out: string;
}

const BENCH_DIR = import.meta.dirname;

function parseArgs(argv: readonly string[]): RunOptions | 'help' {
  const value = (name: string): string | undefined => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    if (!/^--(quick|profile|hey|no-hey|only=|rounds=|contenders=|jarsync-workers=|out=)$|^--(only|rounds|contenders|jarsync-workers|jarsync-trust|out)=/.test(arg)) throw new Error(`unknown argument ${arg} (--help lists them)`);
  }
  const only = value('only')?.split(',') ?? [...SCENARIOS];
  for (const letter of only) if (!(SCENARIOS as readonly string[]).includes(letter)) throw new Error(`--only: no scenario ${letter} (a–h)`);
  const number = (name: string): number | null => {
    const text = value(name);
    if (text === undefined) return null;
    const parsed = Number(text);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
    return parsed;
  };
  return {
    quick: argv.includes('--quick'),
    only: new Set(only as ScenarioLetter[]),
    rounds: number('rounds'),
    contenders: value('contenders')?.split(',') ?? null,
    jarsyncWorkers: number('jarsync-workers'),
    jarsyncTrust: trustOf(value('jarsync-trust')),
    profile: argv.includes('--profile'),
    hey: argv.includes('--no-hey') ? false : argv.includes('--hey') ? true : null,
    out: value('out') ?? path.join(BENCH_DIR, 'results', 'latest.json'),
  };
}

function trustOf(text: string | undefined): UpstreamTrust {
  if (text === undefined || text === 'ca-file') return 'ca-file';
  if (text === 'env') return 'env';
  throw new Error(`--jarsync-trust must be ca-file or env (got ${text})`);
}

function findNginx(): string | null {
  for (const candidate of NGINX_CANDIDATES) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    process.stdout.write(`usage: npm run bench [-- --quick] [--only=a,b,…] [--rounds=N] [--contenders=…] [--jarsync-workers=N] [--jarsync-trust=ca-file|env] [--hey|--no-hey] [--profile] [--out=FILE]\n`);
    return 0;
  }
  const began = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };

  const missing = missingOriginFiles();
  if (missing !== null) throw new Error(missing);
  const nginx = findNginx();
  if (nginx === null) throw new Error('nginx is not installed (Debian nginx-light): run bash bench/setup.sh');

  const base = options.quick ? QUICK : FULL;
  const scale = { ...base, rounds: options.rounds ?? base.rounds };
  const all: Contender[] = [
    direct,
    jarsyncContender({ name: 'jarsync', capture: true, workers: options.jarsyncWorkers, trust: options.jarsyncTrust }),
    jarsyncContender({ name: 'jarsync-off', capture: false, workers: options.jarsyncWorkers, trust: options.jarsyncTrust }),
    httpMitmProxy,
    mitmdump,
  ];
  for (const name of options.contenders ?? []) {
    if (!all.some((contender) => contender.name === name)) throw new Error(`--contenders: no contender ${name} (${all.map((c) => c.name).join(', ')})`);
  }
  const contenders = options.contenders === null ? all : all.filter((contender) => options.contenders?.includes(contender.name));
  const workers = workerContenders(options.jarsyncTrust);
  for (const contender of contenders) {
    const reason = contender.unavailable();
    if (reason !== null) log(`${contender.name}: skipped: ${reason}`);
  }

  const workDir = mkdtempSync(path.join(tmpdir(), 'jarsync-bench-'));
  let origin: Origin | null = null;
  let pool: ContenderPool | null = null;
  const cleanUp = async (): Promise<void> => {
    await pool?.close().catch(() => undefined);
    await origin?.close().catch(() => undefined);
    await stopAllChildren();
    rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    log('bench: interrupted; stopping what it started');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    origin = await startNginxOrigin(nginx, originFiles, workDir);
    log(`origin: nginx pid ${origin.pid}, http 127.0.0.1:${origin.httpPort}, https 127.0.0.1:${origin.httpsPort}, *.${origin.suffix}`);
    const contenderContext = { origin, workDir, profileDir: options.profile ? path.join(BENCH_DIR, 'results', 'profiles') : null };
    pool = new ContenderPool(contenderContext);
    const context: ScenarioContext = {
      contenders: contenderContext,
      pool,
      scale,
      runId: Date.now().toString(36),
      log,
    };
    const scenarios: ScenarioResult[] = [];
    const run = options.only;
    const timed = async (letter: ScenarioLetter, scenario: () => Promise<ScenarioResult | ScenarioResult[]>): Promise<void> => {
      if (!run.has(letter)) return;
      const started = Date.now();
      const result = await scenario();
      scenarios.push(...(Array.isArray(result) ? result : [result]));
      log(`  (${letter} took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    };
    await timed('a', () => runPlainKeepAlive(context, contenders));
    await timed('b', async () => {
      const results = [await runHttpsKeepAlive(context, contenders)];
      if (options.hey ?? !options.quick) {
        if (heyPath() === null) log('(b-hey) skipped: hey is not installed (Debian package hey)');
        else results.push(await runHttpsKeepAliveHey(context, contenders));
      }
      return results;
    });
    await timed('c', () => runHttpsNewConnection(context, contenders));
    await timed('d', async () => [await runFirstContactHosts(context, contenders), await runFirstContactBurst(context, contenders)]);
    await timed('e', async () => [await runOneConnectionHttp(context, contenders), await runOneConnectionHttps(context, contenders)]);
    // The long-lived proxies are done with: the memory scenarios start their own, and (h) its own jarsyncs.
    await pool.close();
    await timed('f', async () => [await runIdleMemory(context, contenders, 'http'), await runIdleMemory(context, contenders, 'https')]);
    await timed('g', () => runCookiePathScenario(context));
    await timed('h', () => runWorkers(context, workers));

    const results: BenchResults = {
      version: 1,
      date: new Date().toISOString(),
      command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
      quick: options.quick,
      rounds: scale.rounds,
      preliminary: options.quick,
      machine: describeMachine(loadAtStart),
      contenders: [...contenders, ...(run.has('h') ? workers : [])].map((contender) => ({
        name: contender.name,
        description: contender.description,
        skipped: contender.unavailable(),
      })),
      scenarios,
      targets: checkTargets(scenarios),
      seconds: (Date.now() - began) / 1000,
    };
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(resultsReport(results));
    log(`results: ${options.out}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
