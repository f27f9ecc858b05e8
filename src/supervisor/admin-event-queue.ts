/**
 * The frames waiting for one slow event-stream client. RxJS has no
 * backpressure: the supervisor pushes changes as fast as the jar applies them,
 * whether or not a client reads. This queue is the bound: past its capacity
 * (in frames or in bytes, whichever comes first) the oldest frames are dropped
 * and counted, so a client that reads too slowly loses history, never the
 * supervisor's memory.
 *
 *   push ──▶ [ oldest … newest ] ──▶ shift        full: drop the oldest, dropped += 1
 */

export interface EventQueueLimits {
  /** Most frames held. Defaults to 10,000. */
  readonly maxFrames?: number;
  /** Most bytes (UTF-16 code units, near enough for a bound) held. Defaults to 16 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_QUEUED_FRAMES = 10_000;
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export class DropOldestQueue {
  readonly maxFrames: number;
  readonly maxBytes: number;
  /** A ring: `#head` is the oldest frame's slot. */
  readonly #slots: (string | undefined)[] = [];
  #head = 0;
  #size = 0;
  #bytes = 0;
  #dropped = 0;

  constructor(limits: EventQueueLimits = {}) {
    this.maxFrames = limits.maxFrames ?? DEFAULT_MAX_QUEUED_FRAMES;
    this.maxBytes = limits.maxBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    if (!Number.isInteger(this.maxFrames) || this.maxFrames < 1) throw new RangeError(`maxFrames must be a whole number from 1 (got ${this.maxFrames})`);
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 1) throw new RangeError(`maxBytes must be a whole number from 1 (got ${this.maxBytes})`);
  }

  get size(): number {
    return this.#size;
  }

  /** Frames dropped since the last `takeDropped()`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a frame, dropping the oldest ones to make room. A frame larger than `maxBytes` on its own is dropped itself. */
  push(frame: string): void {
    if (frame.length > this.maxBytes) {
      this.#dropped += 1;
      return;
    }
    while (this.#size >= this.maxFrames || this.#bytes + frame.length > this.maxBytes) this.#dropOldest();
    this.#slots[(this.#head + this.#size) % this.maxFrames] = frame;
    this.#size += 1;
    this.#bytes += frame.length;
  }

  /** The oldest frame, removed; undefined when empty. */
  shift(): string | undefined {
    if (this.#size === 0) return undefined;
    const frame = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.maxFrames;
    this.#size -= 1;
    this.#bytes -= frame?.length ?? 0;
    return frame;
  }

  /** The count of dropped frames, reset to 0. */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }

  #dropOldest(): void {
    this.shift();
    this.#dropped += 1;
  }
}
