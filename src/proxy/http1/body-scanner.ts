/**
 * Finding where a body ends without touching it. A BodyScanner is fed the
 * bytes as they arrive and says how many belong to the body; the proxy passes
 * exactly those on, as they are, and reads the rest as the next message.
 *
 *   feed(bytes) ──▶ { more, consumed }   all of it is body; the body goes on
 *               ──▶ { done, consumed }   the body ended after `consumed` bytes
 *               ──▶ error                the framing is broken: close both sides
 *   finish()    ──▶ done | error         the connection ended
 *
 * One scanner reads one body. After `done` or an error it answers the same
 * again and consumes nothing.
 */
import type { WireError } from './wire-problem.ts';

export interface BodyMore {
  readonly kind: 'more';
  readonly consumed: number;
}

export interface BodyDone {
  readonly kind: 'done';
  /** Bytes from `start` that end the body; the rest is the next message. */
  readonly consumed: number;
}

export type BodyScan = BodyMore | BodyDone | WireError;

export interface BodyScanner {
  /** Scans `bytes[start, end)` (the whole buffer by default). */
  feed(bytes: Uint8Array, start?: number, end?: number): BodyScan;
  /** The connection ended: `done` when that completes the body, else `body-cut-short`. */
  finish(): BodyDone | WireError;
  /** True once the whole body has been seen. */
  readonly done: boolean;
}
