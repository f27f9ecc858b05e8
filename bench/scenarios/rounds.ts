/**
 * Contenders side by side, interleaved in rounds (A B C, A B C, …) so that a
 * noisy minute on the shared machine falls on every contender rather than on
 * one. A contender that is not installed is skipped; one that fails to start
 * or breaks mid-run is reported as failed with its reason, and the others go on.
 *
 *   pool: A B C ─▶ round 1: A B C ─▶ round 2: A B C ─▶ …  (default; they stay running for the next scenario)
 *   round 1: start A, A, stop A; start B … ─▶ round 2 …     (freshPerRound: memory)
 */
import type { ContenderPool } from '../contenders/contender-pool.ts';
import type { Contender, ContenderContext, ContenderName, RunningContender } from '../contenders/contender.ts';

export interface RoundsOptions<T> {
  readonly contenders: readonly Contender[];
  readonly rounds: number;
  readonly context: ContenderContext;
  /** Where long-lived contenders come from; they stay running after the scenario. */
  readonly pool: ContenderPool;
  /** A new process for every round, stopped after it (a memory measure must not see the last round's heap). */
  readonly freshPerRound?: boolean;
  readonly log: (line: string) => void;
  /** One round's measure of one contender. */
  readonly run: (running: RunningContender, round: number) => Promise<T>;
}

export interface ContenderSamples<T> {
  readonly contender: ContenderName;
  readonly samples: T[];
  /** Why it was not measured (skipped) or stopped being measured (failed). */
  skipped: string | null;
  failed: string | null;
}

export async function runRounds<T>(options: RoundsOptions<T>): Promise<ContenderSamples<T>[]> {
  interface Entry {
    readonly contender: Contender;
    readonly result: ContenderSamples<T>;
    running: RunningContender | null;
  }
  const entries = options.contenders.map(
    (contender): Entry => ({ contender, result: { contender: contender.name, samples: [], skipped: contender.unavailable(), failed: null }, running: null }),
  );
  const fresh = options.freshPerRound === true;
  const start = async (entry: Entry): Promise<RunningContender | null> => {
    try {
      entry.running = fresh ? await entry.contender.start(options.context) : await options.pool.get(entry.contender);
      return entry.running;
    } catch (error) {
      entry.result.failed = `did not start: ${messageOf(error)}`;
      options.log(`  ${entry.contender.name}: ${entry.result.failed}`);
      return null;
    }
  };
  const stop = async (entry: Entry): Promise<void> => {
    const running = entry.running;
    entry.running = null;
    if (running === null) return;
    try {
      if (fresh) await running.stop();
      // A pooled one that failed is not trusted with the next scenario.
      else if (entry.result.failed !== null) await options.pool.discard(running.name);
    } catch (error) {
      options.log(`  ${entry.contender.name}: stopping failed: ${messageOf(error)}`);
    }
  };

  try {
    if (!fresh) {
      for (const entry of entries) if (entry.result.skipped === null) await start(entry);
    }
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const entry of entries) {
        if (entry.result.skipped !== null || entry.result.failed !== null) continue;
        const running = fresh ? await start(entry) : entry.running;
        if (running === null) continue;
        try {
          entry.result.samples.push(await options.run(running, round));
        } catch (error) {
          entry.result.failed = `round ${round}: ${messageOf(error)}`;
          options.log(`  ${entry.contender.name}: ${entry.result.failed}`);
        } finally {
          if (fresh) await stop(entry);
        }
      }
    }
  } finally {
    for (const entry of entries) await stop(entry);
  }
  return entries.map((entry) => entry.result);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
