/**
 * A contender: one way for the same client to reach the same origin. Direct
 * (no proxy) is the baseline; the others are proxies in processes of their
 * own, started fresh for a scenario and stopped by PID after it.
 */
import type { Origin } from '../origin/origin.ts';

export type ContenderName = 'direct' | 'jarsync' | 'jarsync-off' | 'http-mitm-proxy' | 'mitmdump' | 'jarsync-w1' | 'jarsync-w2';

export interface ContenderContext {
  readonly origin: Origin;
  /** A directory of this run's own (CAs, data dirs), removed after the run. */
  readonly workDir: string;
  /** Where jarsync writes CPU profiles (`node --cpu-prof`); null: not profiled. */
  readonly profileDir: string | null;
}

export interface Contender {
  readonly name: ContenderName;
  /** One line saying what it is, for the report. */
  readonly description: string;
  /** Null when it can run here; otherwise why not (it is then reported as skipped, never faked). */
  unavailable(): string | null;
  start(context: ContenderContext): Promise<RunningContender>;
}

export interface RunningContender {
  readonly name: ContenderName;
  /** Where clients send requests; null: straight to the origin. */
  readonly proxy: { readonly host: string; readonly port: number } | null;
  /** Roots the client trusts through it: the origin's CA, and the proxy's when it decrypts. */
  readonly caPems: readonly string[];
  /** The process whose CPU time and memory are measured; null for direct. */
  readonly pid: number | null;
  /** Certificates it has minted so far, where it tells (jarsync's admin API); null otherwise. */
  mints(): Promise<number | null>;
  stop(): Promise<void>;
}
