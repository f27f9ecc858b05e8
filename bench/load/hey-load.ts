/**
 * hey (Debian's Go load generator) as a second, independent client for
 * HTTPS keep-alive through CONNECT: a cross-check that the bench's own Node
 * client is not what limits the numbers. It speaks CONNECT through `-x`; it
 * does not verify certificates (hey sets InsecureSkipVerify, so SSL_CERT_FILE
 * changes nothing), and straight to the origin it connects to 127.0.0.1 with
 * `-host` giving the name (and so the SNI), as it has no resolver option.
 *
 * Its per-request CSV (`-o csv`: response time and offset from its start)
 * goes to a file; the window is cut from it by offset, and the CPU hooks fire
 * on timers set from the moment it was started. Requests that failed without
 * a response are not in hey's CSV: only non-2xx statuses count as errors here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningContender } from '../contenders/contender.ts';
import type { Origin } from '../origin/origin.ts';
import { startChild } from '../process/child.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { ErrorTally, NO_HOOKS } from './load-result.ts';
import type { LoadResult, WindowHooks } from './load-result.ts';

export interface HeyLoadOptions {
  readonly contender: RunningContender;
  readonly origin: Origin;
  readonly host: string;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Where its CSV and CA file go. */
  readonly workDir: string;
  readonly hooks?: WindowHooks;
}

export function heyPath(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v hey'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

let runs = 0;

export async function runHeyLoad(options: HeyLoadOptions): Promise<LoadResult> {
  const hey = heyPath();
  if (hey === null) throw new Error('hey is not installed (Debian package hey)');
  const hooks = options.hooks ?? NO_HOOKS;
  runs += 1;
  const csv = path.join(options.workDir, `hey-${runs}.csv`);
  const caFile = path.join(options.workDir, `hey-${runs}-ca.pem`);
  writeFileSync(caFile, options.contender.caPems.join('\n'));
  const proxy = options.contender.proxy;
  const port = options.origin.httpsPort;
  const target = proxy === null ? ['-host', options.host, `https://127.0.0.1:${port}/`] : ['-x', `http://${proxy.host}:${proxy.port}`, `https://${options.host}:${port}/`];
  const tailMs = 300;
  const seconds = Math.ceil((options.warmupMs + options.durationMs + tailMs) / 1000);
  const child = await startChild('hey', {
    command: hey,
    args: ['-z', `${seconds}s`, '-c', String(options.connections), '-t', '10', '-o', 'csv', ...target],
    env: { ...process.env, SSL_CERT_FILE: caFile },
    readyLine: null,
    stdoutFile: csv,
  });
  const windowStart = options.warmupMs / 1000;
  const windowEnd = (options.warmupMs + options.durationMs) / 1000;
  const timers = [setTimeout(hooks.onStart, options.warmupMs), setTimeout(hooks.onEnd, options.warmupMs + options.durationMs)];
  const guard = setTimeout(() => void child.stop(2_000), seconds * 1000 + 30_000);
  const code = await child.exited;
  for (const timer of [...timers, guard]) clearTimeout(timer);
  if (code !== 0) throw new Error(`hey exited with ${code}: ${child.output().slice(-500)}`);

  const latencies = new LatencyRecorder();
  const errors = new ErrorTally();
  let requests = 0;
  for (const line of readFileSync(csv, 'utf8').split('\n')) {
    const fields = line.split(',');
    const offset = Number(fields[7]);
    const responseTime = Number(fields[0]);
    const status = Number(fields[6]);
    if (fields.length < 8 || !Number.isFinite(offset) || !Number.isFinite(responseTime)) continue;
    // A request belongs to the window if it completed inside it.
    const completed = offset + responseTime;
    if (completed < windowStart || completed > windowEnd) continue;
    requests += 1;
    if (status >= 200 && status < 300) latencies.record(responseTime * 1000);
    else errors.add(`status ${status}`);
  }
  return { requests, errors: errors.total, errorKinds: errors.kinds, seconds: options.durationMs / 1000, latency: latencies.summary() };
}
