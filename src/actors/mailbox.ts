/**
 * A bounded FIFO mailbox: messages are processed one at a time, in the order
 * they were accepted, by a single `process` function. The idea is xstate's
 * Mailbox; what this one adds is a bound and a pace.
 *
 *   post(m) ──▶ [ m1 m2 m3 … ]  (at most `capacity`)  ──▶ process(m1), process(m2), …
 *        └── full: refused, counted, post returns false       up to `sliceSize` per macrotask,
 *                                                              then onSlice(): room again
 *
 * - **Bounded**: RxJS, which feeds the jar actor, has no backpressure, so the
 *   bound lives here. When the mailbox holds `capacity` messages, `post`
 *   returns false and counts the refusal; nothing already queued is dropped
 *   (the oldest cookie events are as real as the newest). The caller decides
 *   what a refusal means for it.
 * - **Sliced**: at most `sliceSize` messages are processed per macrotask, then
 *   the rest waits for the next one (`setImmediate` by default), so that a
 *   flood of messages never holds the event loop for long: sockets, timers and
 *   I/O callbacks run between slices.
 * - **Deferred start**: nothing is processed before `start()`, so an owner can
 *   accept messages while it is still loading its state.
 */
import { JarsyncError } from '../errors.ts';

export interface MailboxOptions<T> {
  /**
   * Handles one message. It runs synchronously; work it starts that finishes
   * later does not hold the mailbox. It should not throw; what it throws goes
   * to `onError` and the mailbox carries on with the next message.
   */
  readonly process: (message: T) => void;
  /** Most messages held at once; `post` refuses more. Defaults to 100,000. */
  readonly capacity?: number;
  /** Most messages processed in one macrotask. Defaults to 128. */
  readonly sliceSize?: number;
  /** Runs a callback on a later macrotask (the next slice). Defaults to `setImmediate`. */
  readonly schedule?: (callback: () => void) => void;
  /**
   * Receives what `process` threw and the message it threw for. Defaults to
   * rethrowing on a fresh microtask: an uncaught exception, loud as a bug should be.
   */
  readonly onError?: (error: unknown, message: T) => void;
  /**
   * Called after each slice that processed messages, once the room they took
   * is free again: an owner that keeps refused messages elsewhere posts them
   * back from here. A post it makes is processed in a later slice. Defaults to none.
   */
  readonly onSlice?: (() => void) | undefined;
}

export const DEFAULT_MAILBOX_CAPACITY = 100_000;
/**
 * The jar actor spends about 3–15 µs on an event (bench/cookie-path.ts on a
 * 2-core machine), so 128 keeps a slice to a millisecond or two: short next to
 * the flush interval, long next to the cost of a setImmediate.
 */
export const DEFAULT_SLICE_SIZE = 128;

export class Mailbox<T> {
  readonly capacity: number;
  readonly sliceSize: number;
  readonly #process: (message: T) => void;
  readonly #schedule: (callback: () => void) => void;
  readonly #onError: (error: unknown, message: T) => void;
  readonly #onSlice: (() => void) | undefined;
  // A ring buffer that grows by doubling up to what capacity needs, so an idle
  // mailbox with a large capacity costs little memory.
  #buffer: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #size = 0;
  #started = false;
  #scheduled = false;
  #accepted = 0;
  #processed = 0;
  #refused = 0;
  readonly #waiters: { readonly target: number; readonly resolve: () => void }[] = [];

  constructor(options: MailboxOptions<T>) {
    this.capacity = positiveInteger('capacity', options.capacity ?? DEFAULT_MAILBOX_CAPACITY);
    this.sliceSize = positiveInteger('sliceSize', options.sliceSize ?? DEFAULT_SLICE_SIZE);
    this.#process = options.process;
    this.#schedule = options.schedule ?? ((callback) => setImmediate(callback));
    this.#onSlice = options.onSlice;
    this.#onError =
      options.onError ??
      ((error) => {
        queueMicrotask(() => {
          throw error;
        });
      });
  }

  /** Messages waiting to be processed. */
  get size(): number {
    return this.#size;
  }

  /** Messages it can take before it refuses one. */
  get room(): number {
    return this.capacity - this.#size;
  }

  /** Messages refused because the mailbox was full. */
  get refused(): number {
    return this.#refused;
  }

  /** Messages processed since the mailbox was made. */
  get processed(): number {
    return this.#processed;
  }

  /** Queues a message; false (and counted) when the mailbox is full. */
  post(message: T): boolean {
    if (this.#size >= this.capacity) {
      this.#refused += 1;
      return false;
    }
    if (this.#size === this.#buffer.length) this.#grow();
    this.#buffer[(this.#head + this.#size) % this.#buffer.length] = message;
    this.#size += 1;
    this.#accepted += 1;
    this.#wake();
    return true;
  }

  /** Begins processing (idempotent). */
  start(): void {
    this.#started = true;
    this.#wake();
  }

  /** Resolves once every message accepted before this call has been processed (or taken out by `takeAll`). */
  drained(): Promise<void> {
    if (this.#processed >= this.#accepted) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target: this.#accepted, resolve }));
  }

  /** Removes and returns every waiting message, oldest first, unprocessed: for a close that cannot wait. */
  takeAll(): T[] {
    const messages: T[] = [];
    while (this.#size > 0) messages.push(this.#shift());
    // Taken messages count as done for whoever waits on drained().
    this.#processed += messages.length;
    this.#settleWaiters();
    return messages;
  }

  #wake(): void {
    if (!this.#started || this.#scheduled || this.#size === 0) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      this.#runSlice();
    });
  }

  #runSlice(): void {
    for (let count = 0; count < this.sliceSize && this.#size > 0; count += 1) {
      const message = this.#shift();
      try {
        this.#process(message);
      } catch (error) {
        this.#onError(error, message);
      }
      this.#processed += 1;
    }
    this.#settleWaiters();
    this.#onSlice?.();
    this.#wake();
  }

  #shift(): T {
    const message = this.#buffer[this.#head] as T;
    this.#buffer[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buffer.length;
    this.#size -= 1;
    return message;
  }

  #grow(): void {
    const grown = new Array<T | undefined>(Math.min(this.#buffer.length * 2, Math.max(this.capacity, 16)));
    for (let index = 0; index < this.#size; index += 1) {
      grown[index] = this.#buffer[(this.#head + index) % this.#buffer.length];
    }
    this.#buffer = grown;
    this.#head = 0;
  }

  #settleWaiters(): void {
    while (this.#waiters.length > 0 && (this.#waiters[0]?.target ?? Infinity) <= this.#processed) {
      this.#waiters.shift()?.resolve();
    }
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `The mailbox's ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
