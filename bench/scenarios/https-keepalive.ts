/**
 * (b) HTTPS through CONNECT, keep-alive, 50 connections: the bench's own
 * client opens every tunnel and TLS session before the window, then sends one
 * request at a time per connection. Through jarsync with capture on (and the
 * other MITM proxies) TLS ends at the proxy; with capture off the tunnel is
 * blind and TLS ends at the origin.
 */
import type { Contender } from '../contenders/contender.ts';
import { connectionTarget } from '../load/target.ts';
import { runTunnelLoad } from '../load/tunnel-load.ts';
import { originHost } from '../origin/origin.ts';
import type { ProxyScenarioResult } from '../report/results.ts';
import { runLoadScenario } from './load-scenario.ts';
import { measure } from './measure.ts';
import type { ScenarioContext } from './scenario-context.ts';

export function runHttpsKeepAlive(context: ScenarioContext, contenders: readonly Contender[], id: 'b' | 'h-https' = 'b'): Promise<ProxyScenarioResult> {
  const { origin } = context.contenders;
  const { connections, warmupMs, windowMs } = context.scale;
  return runLoadScenario(context, {
    id,
    title: `${id === 'b' ? '' : '--workers 1 vs 2: '}HTTPS through CONNECT, keep-alive, ${connections} connections`,
    client: `bench client (CONNECT + TLS, node:tls), ${connections} connections opened first, ${windowMs / 1000} s window after ${warmupMs / 1000} s warm-up`,
    contenders,
    ...(id === 'b' ? {} : { reference: 'jarsync-w1' as const }),
    notes: id === 'b' ? ['jarsync capture off passes CONNECT as a blind tunnel (nothing decrypted), so its row measures a tunnel, not a MITM.'] : [],
    run: async (running) => ({
      measurement: await measure(running, origin, (hooks) =>
        runTunnelLoad({
          target: connectionTarget(running, origin, 'https', originHost(origin, 'www')),
          mode: 'keep-alive',
          connections,
          warmupMs,
          durationMs: windowMs,
          maxRequests: 10_000_000,
          hooks,
        }),
      ),
    }),
  });
}
