/**
 * One connection worker under load, measured and profiled on its own thread:
 * a supervisor in this process with `workers: 1`, the bench's nginx origin,
 * and the load from a child process (so the client's CPU is never counted or
 * profiled here).
 *
 *   this process: supervisor (main thread) + connection worker (thread) ◀── load: child process
 *                 (autocannon for plain HTTP, the bench's CONNECT/TLS client for HTTPS)
 *
 * It prints the worker thread's own CPU per request (`cpuMicros` and
 * `requestsTotal` of its stats, over the load), which the whole-process
 * figure of `npm run bench` mixes with the supervisor's. Under
 * `node --cpu-prof --cpu-prof-dir=DIR`, every thread writes its profile when
 * the process exits normally; the worker's is the one named after its
 * thread id (printed).
 *
 * Run: `npx node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-worker.ts --shape=plain --seconds=10`
 * (`--shape=https` for HTTPS keep-alive through CONNECT, `--connections=N`, 50 by default,
 * `--capture=off` for no synced domain).
 * Needs `bash bench/setup.sh` to have run (nginx and the origin's certificates).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createSupervisor } from '../src/supervisor/supervisor.ts';
import type { RunningContender } from './contenders/contender.ts';
import { runAutocannonLoad } from './load/autocannon-load.ts';
import { connectionTarget } from './load/target.ts';
import { runTunnelLoad } from './load/tunnel-load.ts';
import { NGINX_CANDIDATES, startNginxOrigin } from './origin/nginx-origin.ts';
import { missingOriginFiles, originFiles } from './origin/origin-files.ts';
import type { Origin } from './origin/origin.ts';

type Shape = 'plain' | 'https';

function flag(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const shape = flag('shape', 'plain') as Shape;
const seconds = Number(flag('seconds', '10'));
const connections = Number(flag('connections', '50'));
/** `--capture=off`: no synced domain (plain HTTP forwarded untouched, CONNECT blind). */
const capture = flag('capture', 'on') !== 'off';

/** The child: drives the load at the proxy, prints one JSON line, exits. */
async function load(): Promise<void> {
  const proxy = { host: '127.0.0.1', port: Number(flag('proxy-port', '0')) };
  const origin: Origin = {
    suffix: 'bench.test',
    httpPort: Number(flag('http-port', '0')),
    httpsPort: Number(flag('https-port', '0')),
    caPem: readFileSync(originFiles.caFile, 'utf8'),
    caFile: originFiles.caFile,
    pid: null,
    close: () => Promise.resolve(),
  };
  const contender: RunningContender = {
    name: 'jarsync',
    proxy,
    caPems: [origin.caPem, readFileSync(flag('ca', ''), 'utf8')],
    pid: null,
    mints: () => Promise.resolve(null),
    stop: () => Promise.resolve(),
  };
  const durationMs = seconds * 1000;
  const result =
    shape === 'plain'
      ? await runAutocannonLoad({ contender, origin, host: 'www.bench.test', connections, warmupMs: 500, durationMs })
      : await runTunnelLoad({
          target: connectionTarget(contender, origin, 'https', 'www.bench.test'),
          mode: 'keep-alive',
          connections,
          warmupMs: 500,
          durationMs,
          maxRequests: Number.MAX_SAFE_INTEGER,
        });
  process.stdout.write(`${JSON.stringify({ requests: result.requests, errors: result.errorKinds, p50: result.latency.p50Ms })}\n`);
}

async function main(): Promise<void> {
  const missing = missingOriginFiles();
  if (missing !== null) throw new Error(missing);
  const nginx = NGINX_CANDIDATES.find((candidate) => existsSync(candidate));
  if (nginx === undefined) throw new Error('nginx is missing: run bash bench/setup.sh');
  const workDir = mkdtempSync(path.join(tmpdir(), 'jarsync-profile-'));
  const origin = await startNginxOrigin(nginx, originFiles, workDir);
  const supervisor = createSupervisor({
    port: 0,
    adminPort: null,
    workers: 1,
    dataDir: path.join(workDir, 'data'),
    persist: false,
    domains: capture ? ['bench.test'] : [],
    resolve: [{ pattern: '*.bench.test', address: '127.0.0.1' }],
    caFiles: [originFiles.caFile],
    log: () => undefined,
  });
  try {
    const addresses = await supervisor.start();
    const before = (await supervisor.status()).workers[0];
    const processBefore = process.cpuUsage();
    const args = [
      import.meta.filename,
      '--load',
      `--shape=${shape}`,
      `--seconds=${seconds}`,
      `--connections=${connections}`,
      `--proxy-port=${addresses.proxy.port}`,
      `--http-port=${origin.httpPort}`,
      `--https-port=${origin.httpsPort}`,
      `--ca=${addresses.caCertPath}`,
    ];
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { timeout: (seconds + 60) * 1000 }, (error, stdout) => {
        if (error === null) resolve(stdout);
        else reject(new Error(`the load client failed: ${error.message}`, { cause: error }));
      });
    });
    const processCpu = process.cpuUsage(processBefore);
    const after = (await supervisor.status()).workers[0];
    if (before === undefined || after === undefined) throw new Error('no worker stats');
    const requests = after.requestsTotal - before.requestsTotal;
    const cpu = after.cpuMicros - before.cpuMicros;
    process.stdout.write(`load: ${output.trim()}\n`);
    process.stdout.write(
      `worker thread ${after.threadId}: ${requests} requests, ${(cpu / 1000).toFixed(0)} ms CPU, ${(cpu / Math.max(1, requests)).toFixed(1)} µs CPU per request (whole load, warm-up included)\n`,
    );
    const all = processCpu.user + processCpu.system;
    process.stdout.write(`this process, every thread: ${(all / Math.max(1, requests)).toFixed(1)} µs CPU per request (the supervisor's share: ${((all - cpu) / Math.max(1, requests)).toFixed(1)})\n`);
  } finally {
    await supervisor.close();
    await origin.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--load')) await load();
else await main();
