/**
 * (h) jarsync with --workers 1 against --workers 2 (capture on), on the
 * three load shapes that matter: plain keep-alive, HTTPS keep-alive and a
 * new HTTPS connection per request. `vs jarsync` is against --workers 1 here;
 * CPU per request at 1 worker is what the targets are set on.
 */
import type { Contender } from '../contenders/contender.ts';
import { jarsyncContender } from '../contenders/jarsync.ts';
import type { UpstreamTrust } from '../contenders/jarsync.ts';
import type { ProxyScenarioResult } from '../report/results.ts';
import { runHttpsKeepAlive } from './https-keepalive.ts';
import { runHttpsNewConnection } from './https-new-connection.ts';
import { runPlainKeepAlive } from './plain-keepalive.ts';
import type { ScenarioContext } from './scenario-context.ts';

export function workerContenders(trust: UpstreamTrust): readonly Contender[] {
  return [jarsyncContender({ name: 'jarsync-w1', capture: true, workers: 1, trust }), jarsyncContender({ name: 'jarsync-w2', capture: true, workers: 2, trust })];
}

export async function runWorkers(context: ScenarioContext, contenders: readonly Contender[]): Promise<ProxyScenarioResult[]> {
  return [
    await runPlainKeepAlive(context, contenders, 'h-plain'),
    await runHttpsKeepAlive(context, contenders, 'h-https'),
    await runHttpsNewConnection(context, contenders, 'h-new'),
  ];
}
