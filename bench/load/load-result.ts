/**
 * What one load run measured, whatever drove it (autocannon or the bench's
 * own CONNECT client), and the hooks that let the caller read CPU counters
 * exactly at the edges of the measured window (after warm-up and connection
 * set-up, before the tail).
 */
import type { LatencySummary } from './latency-recorder.ts';

export interface LoadResult {
  /** Responses completed inside the window, whatever their status. */
  readonly requests: number;
  /** Requests that failed (connection errors, time-outs) or answered other than 2xx, inside the window. */
  readonly errors: number;
  /** The errors by kind (`ECONNRESET`, `status 502`, `timeout`, …). */
  readonly errorKinds: Readonly<Record<string, number>>;
  /** The window's length. */
  readonly seconds: number;
  /** Latencies of the 2xx responses inside the window. */
  readonly latency: LatencySummary;
}

export interface WindowHooks {
  /** Called synchronously as the measured window opens. */
  readonly onStart: () => void;
  /** Called synchronously as it closes. */
  readonly onEnd: () => void;
}

export const NO_HOOKS: WindowHooks = { onStart: () => undefined, onEnd: () => undefined };

/** Counts errors by kind. */
export class ErrorTally {
  readonly kinds: Record<string, number> = {};
  total = 0;

  add(kind: string): void {
    this.total += 1;
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
  }
}

export function errorKind(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === 'string' ? code : error.message.slice(0, 60);
  }
  return String(error).slice(0, 60);
}
