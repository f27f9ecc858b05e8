/**
 * (d) First contact with a host the proxy has never seen: its certificate
 * is minted (jarsync: in the mint pool, then cached), and its upstream
 * connection is new.
 *
 *   d1: N distinct new hosts, one after another, each on a new connection
 *       (CONNECT + TLS + one GET): latency of each, proxy CPU per host.
 *   d2: 50 connections to one new host at the same moment: latency of each,
 *       and how many certificates jarsync minted for them (single flight: 1).
 *
 * Host names carry the run id, the round and the contender, so no proxy can
 * have a certificate for one from before. Direct runs the same connections
 * to the origin, as the baseline of what a first handshake costs anyway.
 */
import type { Contender, RunningContender } from '../contenders/contender.ts';
import { LatencyRecorder } from '../load/latency-recorder.ts';
import { ErrorTally, errorKind } from '../load/load-result.ts';
import type { LoadResult } from '../load/load-result.ts';
import { connectionTarget } from '../load/target.ts';
import { requestOnNewConnection } from '../load/tunnel-load.ts';
import { originHost } from '../origin/origin.ts';
import type { ProxyScenarioResult } from '../report/results.ts';
import { performance } from 'node:perf_hooks';
import { runLoadScenario } from './load-scenario.ts';
import { measure } from './measure.ts';
import type { ScenarioContext } from './scenario-context.ts';

const TIMEOUT_MS = 15_000;

/** Few requests make /proc's 10 ms ticks coarse: said next to the numbers. */
const CPU_TICKS_NOTE = '/proc counts CPU in 10 ms ticks: with few requests per round, CPU per request is ±10 ms / requests (±50 µs at 200 hosts, ±500 µs at 20).';

/** A few requests to a host of its own first, so the proxy's code is warm and only the new host is new. */
async function warm(context: ScenarioContext, running: RunningContender, label: string): Promise<void> {
  const { origin } = context.contenders;
  const target = connectionTarget(running, origin, 'https', originHost(origin, label));
  for (let index = 0; index < 5; index += 1) await requestOnNewConnection(target, TIMEOUT_MS);
}

async function timed(run: () => Promise<number>, latencies: LatencyRecorder, errors: ErrorTally): Promise<void> {
  const started = performance.now();
  try {
    const status = await run();
    if (status >= 200 && status < 300) latencies.record(performance.now() - started);
    else errors.add(`status ${status}`);
  } catch (error) {
    errors.add(errorKind(error));
  }
}

export function runFirstContactHosts(context: ScenarioContext, contenders: readonly Contender[]): Promise<ProxyScenarioResult> {
  const { origin } = context.contenders;
  const hosts = context.scale.firstContactHosts;
  return runLoadScenario(context, {
    id: 'd1',
    title: `first contact: ${hosts} new hosts, one after another`,
    client: 'bench client, one new connection (CONNECT + TLS + GET) per new host, sequential',
    contenders,
    notes: [
      'CPU per request here is CPU per new host: minting plus one new TLS connection each way; `mint µs` subtracts the CPU of a new connection to a known host (scenario c).',
      'mitmdump connects upstream before answering the client (its default upstream_cert), http-mitm-proxy makes an RSA key per host: both as their users run them.',
      CPU_TICKS_NOTE,
    ],
    run: async (running, round) => {
      const prefix = `fc-${context.runId}-r${round}-${running.name}`;
      await warm(context, running, `${prefix}-warm`);
      const mintsBefore = await running.mints();
      const latencies = new LatencyRecorder();
      const errors = new ErrorTally();
      let began = 0;
      const measurement = await measure(running, origin, async (hooks): Promise<LoadResult> => {
        hooks.onStart();
        began = performance.now();
        for (let index = 0; index < hosts; index += 1) {
          const target = connectionTarget(running, origin, 'https', originHost(origin, `${prefix}-${index}`));
          await timed(() => requestOnNewConnection(target, TIMEOUT_MS), latencies, errors);
        }
        hooks.onEnd();
        return { requests: hosts, errors: errors.total, errorKinds: errors.kinds, seconds: (performance.now() - began) / 1000, latency: latencies.summary() };
      });
      const mintsAfter = await running.mints();
      return { measurement, extra: { mints: mintsBefore === null || mintsAfter === null ? null : mintsAfter - mintsBefore } };
    },
  });
}

export function runFirstContactBurst(context: ScenarioContext, contenders: readonly Contender[]): Promise<ProxyScenarioResult> {
  const { origin } = context.contenders;
  const burst = context.scale.firstContactBurst;
  return runLoadScenario(context, {
    id: 'd2',
    title: `first contact: ${burst} simultaneous first handshakes to one new host`,
    client: `bench client, ${burst} new connections (CONNECT + TLS + GET) started together`,
    contenders,
    notes: ['`mints` is what jarsync\'s admin API counts for the burst: single flight makes it exactly 1.', CPU_TICKS_NOTE],
    run: async (running, round) => {
      const host = originHost(origin, `burst-${context.runId}-r${round}-${running.name}`);
      await warm(context, running, `burst-${context.runId}-r${round}-${running.name}-warm`);
      const mintsBefore = await running.mints();
      const latencies = new LatencyRecorder();
      const errors = new ErrorTally();
      const target = connectionTarget(running, origin, 'https', host);
      const measurement = await measure(running, origin, async (hooks): Promise<LoadResult> => {
        hooks.onStart();
        const began = performance.now();
        await Promise.all(Array.from({ length: burst }, () => timed(() => requestOnNewConnection(target, TIMEOUT_MS), latencies, errors)));
        hooks.onEnd();
        return { requests: burst, errors: errors.total, errorKinds: errors.kinds, seconds: (performance.now() - began) / 1000, latency: latencies.summary() };
      });
      const mintsAfter = await running.mints();
      return { measurement, extra: { mints: mintsBefore === null || mintsAfter === null ? null : mintsAfter - mintsBefore } };
    },
  });
}
