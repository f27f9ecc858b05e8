/**
 * autocannon, for every plain-HTTP run: absolute-form request lines to a
 * proxy (`GET http://h:port/ HTTP/1.1`), origin-form straight to the origin.
 * The measured window sits inside one continuous run (warm-up first, a short
 * tail after), so connections are never re-opened between the two; every
 * response in it is timed from autocannon's own fractional-ms clock.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { RunningContender } from '../contenders/contender.ts';
import type { Origin } from '../origin/origin.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { ErrorTally, errorKind, NO_HOOKS } from './load-result.ts';
import type { LoadResult, WindowHooks } from './load-result.ts';

export interface AutocannonLoadOptions {
  readonly contender: RunningContender;
  readonly origin: Origin;
  readonly host: string;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** A run by count instead (the one-connection latency scenario): this many measured after `warmupRequests`. */
  readonly requests?: { readonly warmup: number; readonly measured: number };
  readonly hooks?: WindowHooks;
}

export function runAutocannonLoad(options: AutocannonLoadOptions): Promise<LoadResult> {
  const hooks = options.hooks ?? NO_HOOKS;
  const authority = `${options.host}:${options.origin.httpPort}`;
  const proxy = options.contender.proxy;
  const url = proxy === null ? `http://127.0.0.1:${options.origin.httpPort}` : `http://${proxy.host}:${proxy.port}`;
  const path = proxy === null ? '/' : `http://${authority}/`;
  const latencies = new LatencyRecorder();
  const errors = new ErrorTally();
  let requests = 0;
  let seen = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let started = false;
  let ended = false;
  const start = (): void => {
    if (started) return;
    started = true;
    windowStart = performance.now();
    hooks.onStart();
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    windowEnd = performance.now();
    hooks.onEnd();
  };
  const inWindow = (): boolean => {
    const now = performance.now();
    return now >= windowStart && now <= windowEnd;
  };

  const byCount = options.requests;
  const tailMs = 300;
  return new Promise<LoadResult>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        ...(byCount === undefined
          ? { duration: (options.warmupMs + options.durationMs + tailMs) / 1000 }
          : { amount: byCount.warmup + byCount.measured }),
        timeout: 10,
        sampleInt: 100,
        requests: [{ method: 'GET', path, headers: { host: authority, 'user-agent': 'jarsync-bench', accept: '*/*' } }],
      },
      (error) => {
        for (const timer of timers) clearTimeout(timer);
        if (error !== null) {
          reject(error);
          return;
        }
        start();
        end();
        resolve({
          requests,
          errors: errors.total,
          errorKinds: errors.kinds,
          seconds: (windowEnd - windowStart) / 1000,
          latency: latencies.summary(),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      seen += 1;
      const measured = byCount === undefined ? inWindow() : seen > byCount.warmup && seen <= byCount.warmup + byCount.measured;
      if (measured) {
        requests += 1;
        if (statusCode >= 200 && statusCode < 300) latencies.record(responseTimeMs);
        else errors.add(`status ${statusCode}`);
      }
      if (byCount !== undefined) {
        if (seen === byCount.warmup) start();
        if (seen === byCount.warmup + byCount.measured) end();
      }
    });
    instance.on('reqError', (error) => {
      if (byCount === undefined ? inWindow() : started && !ended) errors.add(errorKind(error));
    });
    if (byCount === undefined) {
      timers.push(setTimeout(start, options.warmupMs));
      timers.push(setTimeout(end, options.warmupMs + options.durationMs));
    } else if (byCount.warmup === 0) start();
  });
}
