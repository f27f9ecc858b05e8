/** What every scenario is given: the origin and the contenders' context, its scale, and where to log progress. */
import type { ContenderPool } from '../contenders/contender-pool.ts';
import type { ContenderContext } from '../contenders/contender.ts';
import type { Scale } from './scale.ts';

export interface ScenarioContext {
  readonly contenders: ContenderContext;
  /** Contenders that stay running from one scenario to the next. */
  readonly pool: ContenderPool;
  readonly scale: Scale;
  /** Unique per run: new host names of one run are never seen by an earlier one. */
  readonly runId: string;
  readonly log: (line: string) => void;
}
