/**
 * (b, cross-check) HTTPS keep-alive through CONNECT driven by hey instead of
 * the bench's own client: the same contenders and connections, another
 * client (Go, both cores). Agreement between the two says the Node client
 * was not the limit; hey's own CPU is not counted (it is not this process).
 */
import type { Contender } from '../contenders/contender.ts';
import { runHeyLoad } from '../load/hey-load.ts';
import { originHost } from '../origin/origin.ts';
import type { ProxyScenarioResult } from '../report/results.ts';
import { runLoadScenario } from './load-scenario.ts';
import { measure } from './measure.ts';
import type { ScenarioContext } from './scenario-context.ts';

export function runHttpsKeepAliveHey(context: ScenarioContext, contenders: readonly Contender[]): Promise<ProxyScenarioResult> {
  const { origin, workDir } = context.contenders;
  const { connections, warmupMs, windowMs } = context.scale;
  return runLoadScenario(context, {
    id: 'b-hey',
    title: `HTTPS through CONNECT, keep-alive, ${connections} connections, driven by hey (cross-check of b)`,
    client: `hey -c ${connections} -x <proxy> (-host for direct), no certificate verification, ${windowMs / 1000} s window cut from its CSV after ${warmupMs / 1000} s`,
    contenders,
    run: async (running) => ({
      measurement: await measure(running, origin, (hooks) =>
        runHeyLoad({ contender: running, origin, host: originHost(origin, 'www'), connections, warmupMs, durationMs: windowMs, workDir, hooks }),
        { clientInProcess: false },
      ),
    }),
  });
}
