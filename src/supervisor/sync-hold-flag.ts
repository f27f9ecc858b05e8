/**
 * The flag that tells every connection worker to hold back synced traffic
 * while the jar is behind: one Int32 in a SharedArrayBuffer the workers get
 * in their settings (`ProxySettings.syncHold`), 1 while held, 0 otherwise.
 * Lowering it wakes the workers' waiters (`Atomics.notify`), so held requests
 * go on at once rather than at a poll. It also keeps the counts /api/status
 * shows: how many times it was raised, and for how long in all.
 *
 *   EventBacklog.onHold(true) ──▶ raise(): store 1
 *   EventBacklog.onHold(false) ─▶ lower(): store 0, notify ──▶ workers' Atomics.waitAsync resolve
 */

export interface SyncHoldStats {
  /** Whether synced traffic is held now. */
  readonly engaged: boolean;
  /** Times it was raised. */
  readonly times: number;
  /** Time spent raised, in ms, the current hold included. */
  readonly engagedMs: number;
}

export class SyncHoldFlag {
  /** What the workers get: one Int32 at index 0. */
  readonly buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  readonly #view = new Int32Array(this.buffer);
  readonly #now: () => number;
  #since: number | null = null;
  #times = 0;
  #engagedMs = 0;

  /** @param now a monotonic clock in ms. Defaults to `performance.now`. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  raise(): void {
    if (this.#since !== null) return;
    this.#since = this.#now();
    this.#times += 1;
    Atomics.store(this.#view, 0, 1);
  }

  lower(): void {
    if (this.#since === null) return;
    this.#engagedMs += this.#now() - this.#since;
    this.#since = null;
    Atomics.store(this.#view, 0, 0);
    Atomics.notify(this.#view, 0);
  }

  stats(): SyncHoldStats {
    const current = this.#since === null ? 0 : this.#now() - this.#since;
    return { engaged: this.#since !== null, times: this.#times, engagedMs: Math.round(this.#engagedMs + current) };
  }
}
