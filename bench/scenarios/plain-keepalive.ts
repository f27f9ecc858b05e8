/**
 * (a) Plain HTTP, keep-alive, 50 connections: autocannon sends absolute-form
 * request lines to each proxy (origin-form straight to the origin), one
 * request at a time per connection, for a fixed window after a warm-up.
 */
import type { Contender } from '../contenders/contender.ts';
import { runAutocannonLoad } from '../load/autocannon-load.ts';
import { originHost } from '../origin/origin.ts';
import type { ProxyScenarioResult } from '../report/results.ts';
import { runLoadScenario } from './load-scenario.ts';
import { measure } from './measure.ts';
import type { ScenarioContext } from './scenario-context.ts';

export function runPlainKeepAlive(context: ScenarioContext, contenders: readonly Contender[], id: 'a' | 'h-plain' = 'a'): Promise<ProxyScenarioResult> {
  const { origin } = context.contenders;
  const { connections, warmupMs, windowMs } = context.scale;
  return runLoadScenario(context, {
    id,
    title: `${id === 'a' ? '' : '--workers 1 vs 2: '}plain HTTP keep-alive, ${connections} connections`,
    client: `autocannon, ${connections} connections, absolute-form GET, ${windowMs / 1000} s window after ${warmupMs / 1000} s warm-up`,
    contenders,
    ...(id === 'a' ? {} : { reference: 'jarsync-w1' as const }),
    run: async (running) => ({
      measurement: await measure(running, origin, (hooks) =>
        runAutocannonLoad({ contender: running, origin, host: originHost(origin, 'www'), connections, warmupMs, durationMs: windowMs, hooks }),
      ),
    }),
  });
}
