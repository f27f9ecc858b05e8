/**
 * (c) HTTPS with a new connection per request: the handshake rate. Each of
 * 50 loops connects, sends CONNECT, completes a full TLS handshake (no
 * session resumption), sends one request with `Connection: close`, reads the
 * answer and closes. The host's certificate is minted during the warm-up, so
 * the window measures handshakes with a cached certificate.
 */
import type { Contender } from '../contenders/contender.ts';
import { connectionTarget } from '../load/target.ts';
import { runTunnelLoad } from '../load/tunnel-load.ts';
import { originHost } from '../origin/origin.ts';
import type { ProxyScenarioResult } from '../report/results.ts';
import { runLoadScenario } from './load-scenario.ts';
import { measure } from './measure.ts';
import type { ScenarioContext } from './scenario-context.ts';

export function runHttpsNewConnection(context: ScenarioContext, contenders: readonly Contender[], id: 'c' | 'h-new' = 'c'): Promise<ProxyScenarioResult> {
  const { origin } = context.contenders;
  const { connections, warmupMs, windowMs } = context.scale;
  return runLoadScenario(context, {
    id,
    title: `${id === 'c' ? '' : '--workers 1 vs 2: '}HTTPS, a new connection per request, ${connections} at a time`,
    client: `bench client, ${connections} loops of connect + CONNECT + full TLS handshake + one GET (Connection: close), ${windowMs / 1000} s window after ${warmupMs / 1000} s warm-up`,
    contenders,
    ...(id === 'c' ? {} : { reference: 'jarsync-w1' as const }),
    notes: [
      'The client does a full handshake per request as well; on 2 cores its CPU competes with the proxy\'s, so read CPU per request first.',
      ...(id === 'c' ? ['jarsync capture off is a blind tunnel: its handshake is the origin\'s.'] : []),
    ],
    run: async (running) => ({
      measurement: await measure(running, origin, (hooks) =>
        runTunnelLoad({
          target: connectionTarget(running, origin, 'https', originHost(origin, 'www')),
          mode: 'new-connection',
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
