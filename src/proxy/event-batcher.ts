import type { CookieEvent } from '../cookie-event.ts';

/**
 * Collects cookie events and hands them on in batches: one `postMessage` per
 * batch instead of one per cookie. A batch leaves when it is full or at the end
 * of the current turn of the event loop (setImmediate), so an event waits at
 * most one turn.
 */
export class EventBatcher {
  readonly #send: (events: CookieEvent[]) => void;
  readonly #maxSize: number;
  #pending: CookieEvent[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #sent = 0;

  /** @param maxSize most events in one batch. */
  constructor(send: (events: CookieEvent[]) => void, maxSize: number) {
    this.#send = send;
    this.#maxSize = Math.max(1, maxSize);
  }

  get sent(): number {
    return this.#sent;
  }

  push(event: CookieEvent): void {
    this.#pending.push(event);
    if (this.#pending.length >= this.#maxSize) {
      this.flush();
      return;
    }
    this.#scheduled ??= setImmediate(() => {
      this.flush();
    });
  }

  flush(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#sent += batch.length;
    this.#send(batch);
  }
}
