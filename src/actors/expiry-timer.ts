/**
 * The jar actor's one expiry timer, aimed at the nearest expiry of a held
 * cookie however many cookies expire (HeldCookies keeps them in a heap):
 *
 *   aim(next) ──▶ one setTimeout for `next` (re-aimed when a nearer expiry comes) ──fires──▶ onDue()
 *
 * Node runs a timer longer than 2^31-1 ms at once (with a warning), so a far
 * expiry is waited out in several shorter timers: `onDue` finds nothing due
 * and aims again.
 */
import type { ActorTimers } from './actor-timers.ts';

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export class ExpiryTimer {
  readonly #timers: ActorTimers;
  readonly #now: () => number;
  readonly #onDue: () => void;
  #cancel: (() => void) | null = null;
  #at: number | null = null;
  #stopped = false;

  constructor(timers: ActorTimers, now: () => number, onDue: () => void) {
    this.#timers = timers;
    this.#now = now;
    this.#onDue = onDue;
  }

  /** Whether a cookie expiring at `time` needs the timer re-aimed (it is nearer than the timer's aim). */
  isNearer(time: number): boolean {
    return this.#at === null || time < this.#at;
  }

  /** Aims the timer at `next` (Infinity: nothing to wait for). */
  aim(next: number): void {
    if (next === this.#at && this.#cancel !== null) return;
    this.#clear();
    if (next === Infinity || this.#stopped) return;
    const delay = Math.min(Math.max(next - this.#now(), 0), MAX_TIMER_DELAY_MS);
    this.#at = next;
    this.#cancel = this.#timers.setTimeout(() => {
      this.#cancel = null;
      this.#at = null;
      this.#onDue();
    }, delay);
  }

  /** Cancels the timer for good: a closing actor arms no more. */
  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #clear(): void {
    this.#cancel?.();
    this.#cancel = null;
    this.#at = null;
  }
}
