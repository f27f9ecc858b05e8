/**
 * (e) Latency a proxy adds at one connection: one keep-alive connection, one
 * request at a time, every latency kept, p50 through the proxy minus p50
 * direct (`added µs`). No queueing, so this is the proxy's own time per
 * request plus its two extra loopback hops.
 *
 *   e-http:  autocannon, 1 connection, by count
 *   e-https: bench client, 1 CONNECT + TLS connection, by count
 */
import type { Contender } from '../contenders/contender.ts';
import { runAutocannonLoad } from '../load/autocannon-load.ts';
import { connectionTarget } from '../load/target.ts';
import { runTunnelLoad } from '../load/tunnel-load.ts';
import { originHost } from '../origin/origin.ts';
import type { ContenderRow, ProxyScenarioResult } from '../report/results.ts';
import { runLoadScenario } from './load-scenario.ts';
import { measure } from './measure.ts';
import type { ScenarioContext } from './scenario-context.ts';

/** Adds `added µs` to every row: its p50 less direct's median p50 (min and max from the row's own range). */
export function withAddedLatency(result: ProxyScenarioResult): ProxyScenarioResult {
  const direct = result.rows.find((row) => row.contender === 'direct')?.p50Ms?.median;
  if (direct === undefined) return result;
  const rows = result.rows.map((row): ContenderRow => {
    const p50 = row.p50Ms;
    if (p50 === null) return row;
    const added = (ms: number): number => (ms - direct) * 1000;
    return { ...row, extra: { ...row.extra, 'added µs': { median: added(p50.median), min: added(p50.min), max: added(p50.max) } } };
  });
  return { ...result, rows };
}

export async function runOneConnectionHttp(context: ScenarioContext, contenders: readonly Contender[]): Promise<ProxyScenarioResult> {
  const { origin } = context.contenders;
  const { latencyRequests, latencyWarmup } = context.scale;
  const result = await runLoadScenario(context, {
    id: 'e-http',
    title: 'latency at one connection, plain HTTP',
    client: `autocannon, 1 connection, ${latencyRequests} requests timed after ${latencyWarmup}`,
    contenders,
    run: async (running) => ({
      measurement: await measure(running, origin, (hooks) =>
        runAutocannonLoad({
          contender: running,
          origin,
          host: originHost(origin, 'www'),
          connections: 1,
          warmupMs: 0,
          durationMs: 0,
          requests: { warmup: latencyWarmup, measured: latencyRequests },
          hooks,
        }),
      ),
    }),
  });
  return withAddedLatency(result);
}

export async function runOneConnectionHttps(context: ScenarioContext, contenders: readonly Contender[]): Promise<ProxyScenarioResult> {
  const { origin } = context.contenders;
  const { latencyRequests, warmupMs } = context.scale;
  const result = await runLoadScenario(context, {
    id: 'e-https',
    title: 'latency at one connection, HTTPS through CONNECT',
    client: `bench client, 1 CONNECT + TLS connection, ${latencyRequests} requests timed after ${warmupMs / 1000} s warm-up`,
    contenders,
    run: async (running) => ({
      measurement: await measure(running, origin, (hooks) =>
        runTunnelLoad({
          target: connectionTarget(running, origin, 'https', originHost(origin, 'www')),
          mode: 'keep-alive',
          connections: 1,
          warmupMs,
          // Bounded by the count; the time only caps a contender far slower than expected.
          durationMs: 120_000,
          maxRequests: latencyRequests,
          hooks,
        }),
      ),
    }),
  });
  return withAddedLatency(result);
}
