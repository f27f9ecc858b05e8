/**
 * How big each scenario is, for a full run and for `--quick` (which proves
 * the harness in under 3 minutes; its numbers are indicative only).
 */
export interface Scale {
  /** Rounds of every contender, interleaved. */
  readonly rounds: number;
  /** The measured window of a throughput run, and the warm-up before it. */
  readonly windowMs: number;
  readonly warmupMs: number;
  /** Connections of the throughput scenarios (a, b, c, h). */
  readonly connections: number;
  /** Requests timed at one connection (e), after a warm-up of their own. */
  readonly latencyRequests: number;
  readonly latencyWarmup: number;
  /** New hosts contacted one after another (d), and simultaneous first handshakes to one new host. */
  readonly firstContactHosts: number;
  readonly firstContactBurst: number;
  /** Idle keep-alive connections held (f), and the longest time to open them. */
  readonly idleConnections: number;
  readonly idleOpenTimeoutMs: number;
  /** Run bench/cookie-path.ts with --quick. */
  readonly cookiePathQuick: boolean;
  /** Events through filterDomains (g). */
  readonly filterEvents: number;
}

export const FULL: Scale = {
  rounds: 3,
  windowMs: 10_000,
  warmupMs: 2_000,
  connections: 50,
  latencyRequests: 10_000,
  latencyWarmup: 1_000,
  firstContactHosts: 200,
  firstContactBurst: 50,
  idleConnections: 10_000,
  idleOpenTimeoutMs: 120_000,
  cookiePathQuick: false,
  filterEvents: 1_000_000,
};

export const QUICK: Scale = {
  rounds: 1,
  windowMs: 1_500,
  warmupMs: 500,
  connections: 50,
  latencyRequests: 1_000,
  latencyWarmup: 200,
  firstContactHosts: 20,
  firstContactBurst: 50,
  idleConnections: 400,
  idleOpenTimeoutMs: 20_000,
  cookiePathQuick: true,
  filterEvents: 100_000,
};
