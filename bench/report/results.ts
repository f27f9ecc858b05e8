/**
 * The shape of bench/results/latest.json, and of what every scenario returns.
 * Times are in µs for CPU, ms for latency; a Spread is the median of the
 * rounds with their min and max.
 */
import type { ContenderName } from '../contenders/contender.ts';
import type { CookiePathResults } from '../cookie-path.ts';
import type { FilterDomainsResult } from '../scenarios/filter-domains-throughput.ts';
import type { Machine } from './machine.ts';
import type { Spread } from './spread.ts';
import type { TargetLine } from './targets.ts';

export type ScenarioId = 'a' | 'b' | 'b-hey' | 'c' | 'd1' | 'd2' | 'e-http' | 'e-https' | 'f-plain' | 'f-mitm' | 'g' | 'h-plain' | 'h-https' | 'h-new';

export interface ContenderRow {
  readonly contender: ContenderName;
  readonly status: 'measured' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  readonly reason: string | null;
  readonly rounds: number;
  /** CPU time of the proxy process (all threads) per request, from /proc; null for direct. */
  readonly cpuMicrosPerRequest: Spread | null;
  readonly requestsPerSecond: Spread | null;
  readonly p50Ms: Spread | null;
  readonly p99Ms: Spread | null;
  /** Requests counted in the windows of every round, and the errors among them. */
  readonly requests: number;
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  /** Median requests/s against direct's, and against the scenario's jarsync reference. */
  readonly vsDirect: number | null;
  readonly vsJarsync: number | null;
  /** The origin's CPU per request (nginx, all processes) and the client's: what else the 2 cores did. */
  readonly originCpuMicrosPerRequest: Spread | null;
  readonly clientCpuMicrosPerRequest: Spread | null;
  /** Measures only this scenario has (KB per idle connection, mints, added latency …). */
  readonly extra: Readonly<Record<string, Spread | null>>;
}

export interface ProxyScenarioResult {
  readonly kind: 'proxy';
  readonly id: ScenarioId;
  readonly title: string;
  /** What drove the load, and how. */
  readonly client: string;
  /** The row the `vs jarsync` ratios are taken against. */
  readonly reference: ContenderName;
  readonly rows: readonly ContenderRow[];
  readonly notes: readonly string[];
}

export interface CookiePathScenarioResult {
  readonly kind: 'cookie-path';
  readonly id: 'g';
  readonly title: string;
  /** bench/cookie-path.ts's own results (the jar actor, in memory and SQLite); null when it failed. */
  readonly jar: CookiePathResults | null;
  readonly jarError: string | null;
  readonly filterDomains: FilterDomainsResult;
  readonly notes: readonly string[];
}

export type ScenarioResult = ProxyScenarioResult | CookiePathScenarioResult;

export interface BenchResults {
  readonly version: 1;
  readonly date: string;
  readonly command: string;
  readonly quick: boolean;
  readonly rounds: number;
  readonly preliminary: boolean;
  readonly machine: Machine;
  readonly contenders: readonly { readonly name: ContenderName; readonly description: string; readonly skipped: string | null }[];
  readonly scenarios: readonly ScenarioResult[];
  readonly targets: readonly TargetLine[];
  readonly seconds: number;
}
