/**
 * The common shape of the load scenarios: every contender, interleaved in
 * rounds, each round one measured load run, then a row per contender.
 */
import type { Contender, ContenderName, RunningContender } from '../contenders/contender.ts';
import { buildRows } from '../report/rows.ts';
import type { Sample } from '../report/rows.ts';
import type { ProxyScenarioResult, ScenarioId } from '../report/results.ts';
import { runRounds } from './rounds.ts';
import type { ScenarioContext } from './scenario-context.ts';

export interface LoadScenarioOptions {
  readonly id: ScenarioId;
  readonly title: string;
  readonly client: string;
  readonly reference?: ContenderName;
  readonly contenders: readonly Contender[];
  readonly freshPerRound?: boolean;
  readonly notes?: readonly string[];
  readonly run: (running: RunningContender, round: number) => Promise<Sample>;
}

export async function runLoadScenario(context: ScenarioContext, options: LoadScenarioOptions): Promise<ProxyScenarioResult> {
  context.log(`(${options.id}) ${options.title}`);
  const results = await runRounds<Sample>({
    contenders: options.contenders,
    rounds: context.scale.rounds,
    context: context.contenders,
    pool: context.pool,
    freshPerRound: options.freshPerRound ?? false,
    log: context.log,
    run: async (running, round) => {
      const sample = await options.run(running, round);
      context.log(`  round ${round} ${running.name.padEnd(16)} ${describe(sample)}`);
      return sample;
    },
  });
  const reference = options.reference ?? 'jarsync';
  return {
    kind: 'proxy',
    id: options.id,
    title: options.title,
    client: options.client,
    reference,
    rows: buildRows(results, reference),
    notes: options.notes ?? [],
  };
}

function describe(sample: Sample): string {
  const m = sample.measurement;
  const cpu = m.proxyCpuMicrosPerRequest === null ? '' : `, ${m.proxyCpuMicrosPerRequest.toFixed(0)} µs CPU/req`;
  const extra = Object.entries(sample.extra ?? {})
    .map(([name, value]) => `, ${name} ${value === null ? '-' : Number(value.toPrecision(4))}`)
    .join('');
  return `${Math.round(m.requestsPerSecond)} req/s, p50 ${m.load.latency.p50Ms.toFixed(2)} ms, ${m.load.errors} errors${cpu}${extra}`;
}
