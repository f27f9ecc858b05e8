/**
 * A worker's side of the jar's back-pressure. The supervisor raises a shared
 * flag (ProxySettings.syncHold) while the jar is behind; a new request to a
 * synced origin then waits here before it is forwarded, since its response is
 * what would bring more cookie events. Unsynced traffic never comes here.
 *
 *   request to a synced origin ── flag clear ──▶ forwarded now
 *        │ flag raised
 *        ▼
 *   waiting, its body left unread ── flag cleared (Atomics.waitAsync wakes) ──▶ forwarded
 *        ├── waited upstreamResponseTimeoutMs ──▶ 503 JARSYNC_ERR_BUSY, Retry-After
 *        ├── client gone ──▶ dropped
 *        └── worker drains ──▶ forwarded (the jar takes what is left as it closes)
 *
 * One waiter on the flag serves every held request of the worker.
 */
import { performance } from 'node:perf_hooks';

export class SyncHold {
  readonly #view: Int32Array | null;
  readonly #timeoutMs: number;
  /** Each held request's way out: true forwards it, false answers 503. */
  readonly #waiting = new Set<(go: boolean) => void>();
  #watching = false;
  #held = 0;
  #busy = 0;

  /**
   * @param flag the shared flag (one Int32 at index 0); none: nothing is ever held.
   * @param timeoutMs longest a request waits before it is answered 503.
   */
  constructor(flag: SharedArrayBuffer | undefined, timeoutMs: number) {
    this.#view = flag === undefined ? null : new Int32Array(flag, 0, 1);
    this.#timeoutMs = timeoutMs;
  }

  /** Requests that waited. */
  get held(): number {
    return this.#held;
  }

  /** Requests answered 503 for waiting too long. */
  get busy(): number {
    return this.#busy;
  }

  get engaged(): boolean {
    return this.#view !== null && Atomics.load(this.#view, 0) !== 0;
  }

  /**
   * Null when the request may go now (not synced, or nothing held); else `leave` is
   * called once the hold lifts (true: forward it) or the request waited too
   * long (false: answer it 503 busy), and the function returned withdraws it
   * (its client is gone) without a call.
   */
  hold(synced: boolean, leave: (go: boolean, waitedMs: number) => void): (() => void) | null {
    if (!synced || !this.engaged) return null;
    this.#held += 1;
    const began = performance.now();
    const finish = (go: boolean | null): void => {
      if (!this.#waiting.delete(exit)) return;
      clearTimeout(timer);
      if (go === null) return;
      if (!go) this.#busy += 1;
      leave(go, Math.round(performance.now() - began));
    };
    const exit = (go: boolean): void => {
      finish(go);
    };
    const timer = setTimeout(exit, this.#timeoutMs, false);
    this.#waiting.add(exit);
    this.#watch();
    return () => {
      finish(null);
    };
  }

  /** Forwards every waiting request now (the worker is draining). */
  releaseAll(): void {
    for (const leave of [...this.#waiting]) leave(true);
  }

  /** Waits on the flag while requests are held, and lets them go when it clears. */
  #watch(): void {
    const view = this.#view;
    if (this.#watching || view === null) return;
    this.#watching = true;
    void (async () => {
      while (this.#waiting.size > 0 && Atomics.load(view, 0) !== 0) {
        const wait = Atomics.waitAsync(view, 0, 1);
        if (wait.async) await wait.value;
      }
      this.#watching = false;
      if (Atomics.load(view, 0) === 0) this.releaseAll();
    })();
  }
}
