/**
 * What a jar actor is opened with: every option, its default, and the check
 * that refuses one out of range (`JARSYNC_ERR_BAD_OPTION`).
 */
import { JarsyncError } from '../errors.ts';
import type { JarStore } from '../store/jar-store.ts';
import type { ActorTimers } from './actor-timers.ts';
import type { CookieChange, CookieRefusal } from './cookie-change.ts';

export interface JarActorOptions {
  /** Where the jar is loaded from at open and committed to. */
  readonly store: JarStore;
  /** The clock, in ms since the epoch: expiry, `at` of changes and refusals, commit times. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Defaults to Node's global `setTimeout`/`clearTimeout`/`setImmediate`, looked up at each call (so fake timers apply). */
  readonly timers?: ActorTimers;
  /**
   * Most messages (events and queries) waiting at once. When full, `tell`
   * returns false and counts the refusal (the caller keeps the event; see
   * `onRoom`), and queries reject with
   * `JARSYNC_ERR_MAILBOX_FULL`; nothing queued is dropped. Defaults to 100,000
   * (about 100 MB of waiting events at worst, and about a second of work).
   */
  readonly mailboxCapacity?: number;
  /**
   * The longest a change waits before it is committed: the first change after
   * a commit arms a timer for this long, and everything changed until it fires
   * goes in one transaction. Defaults to 50 ms.
   */
  readonly flushIntervalMs?: number;
  /**
   * Called each time the mailbox has made room (after each slice of processed
   * messages), so that whoever keeps the events `tell` refused can tell them
   * again, up to `room()`. Defaults to none.
   */
  readonly onRoom?: () => void;
  /** Messages processed per macrotask before yielding to the event loop. Defaults to 128 (about a millisecond of work). */
  readonly sliceSize?: number;
  /** The longest `close()` waits for the mailbox and the last commit before giving up on them. Defaults to 10,000 ms. */
  readonly closeTimeoutMs?: number;
  /**
   * Receives every applied change, synchronously, in order. It should not
   * throw; an exception is rethrown on a fresh microtask (an uncaught
   * exception) after the jar's state is consistent. Defaults to none.
   */
  readonly onChange?: (change: CookieChange) => void;
  /** Receives every refused cookie, as `onChange` does changes. Defaults to none. */
  readonly onRefused?: (refusal: CookieRefusal) => void;
  /**
   * Receives every failed load or commit, as a `JARSYNC_ERR_STORE` error. The
   * jar in memory is untouched, and what failed to commit is retried at the next
   * flush (sooner than 5 s). Defaults to none (stats() still counts them).
   */
  readonly onStoreError?: (error: JarsyncError) => void;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 50;
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `The jar actor's ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
