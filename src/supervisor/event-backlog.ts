/**
 * The jar's backlog: the events the jar actor's mailbox had no room for, kept
 * in order and told again as it makes room, with the two marks that decide
 * when the workers hold back synced traffic.
 *
 *   offer(e) ── backlog empty and the jar has room ──▶ jar.tell(e)
 *        │ otherwise
 *        ▼
 *   [ e1 e2 e3 … ]  at most `capacity`; one more is lost: counted, and onLost
 *        │  feed(): on the jar's onRoom, up to jar.room() of them, oldest first
 *        ▼
 *   jar.tell(e1), jar.tell(e2), …
 *
 *   size reaches highWater ──▶ onHold(true);  size falls to lowWater ──▶ onHold(false)
 *
 * An event that finds others waiting waits behind them, even when the jar
 * has room: the jar sees events in the order they came. The two marks are
 * apart so that the hold does not flap with every slice the jar processes.
 */
import { JarsyncError } from '../errors.ts';

/** What the backlog feeds: the jar actor's `tell` and `room`. */
export interface BacklogTarget<T> {
  tell(item: T): boolean;
  room(): number;
}

export interface EventBacklogOptions<T> {
  /** Most events kept; beyond, an event is lost. */
  readonly capacity: number;
  /** Size at which `onHold(true)` is called. At least 1, at most `capacity`. */
  readonly highWater: number;
  /** Size at or under which `onHold(false)` is called once held. Under `highWater`. */
  readonly lowWater: number;
  /** The hold begins (true) or ends (false). */
  readonly onHold: (held: boolean) => void;
  /** An event the backlog had no room for: it is gone. */
  readonly onLost: (item: T) => void;
}

export interface EventBacklogStats {
  /** Events waiting now. */
  readonly size: number;
  /** The most that ever waited at once. */
  readonly peak: number;
  readonly capacity: number;
  /** Events that waited here before the jar took them (or are waiting). */
  readonly held: number;
  /** Events lost because the backlog was full. */
  readonly lost: number;
}

/** Beyond this many taken from its front, the array is compacted (when that is at least half of it). */
const COMPACT_AFTER = 1_024;

export class EventBacklog<T> {
  readonly capacity: number;
  readonly highWater: number;
  readonly lowWater: number;
  readonly #onHold: (held: boolean) => void;
  readonly #onLost: (item: T) => void;
  #items: T[] = [];
  #head = 0;
  #holding = false;
  #peak = 0;
  #held = 0;
  #lost = 0;
  #emptied: (() => void)[] = [];

  constructor(options: EventBacklogOptions<T>) {
    const { capacity, highWater, lowWater } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw bad(`capacity must be a whole number ≥ 1 (got ${capacity})`);
    if (!Number.isSafeInteger(highWater) || highWater < 1 || highWater > capacity) throw bad(`high-water mark must be from 1 to the capacity ${capacity} (got ${highWater})`);
    if (!Number.isSafeInteger(lowWater) || lowWater < 0 || lowWater >= highWater) throw bad(`low-water mark must be from 0 to under the high-water mark ${highWater} (got ${lowWater})`);
    this.capacity = capacity;
    this.highWater = highWater;
    this.lowWater = lowWater;
    this.#onHold = options.onHold;
    this.#onLost = options.onLost;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get holding(): boolean {
    return this.#holding;
  }

  stats(): EventBacklogStats {
    return { size: this.size, peak: this.#peak, capacity: this.capacity, held: this.#held, lost: this.#lost };
  }

  /** Tells `item` to the jar at once if nothing waits and it has room; keeps it otherwise, or loses it when full. */
  offer(item: T, target: BacklogTarget<T>): void {
    if (this.size === 0 && target.room() > 0 && target.tell(item)) return;
    if (this.size >= this.capacity) {
      this.#lost += 1;
      this.#onLost(item);
      return;
    }
    this.#items.push(item);
    this.#held += 1;
    this.#peak = Math.max(this.#peak, this.size);
    if (!this.#holding && this.size >= this.highWater) {
      this.#holding = true;
      this.#onHold(true);
    }
  }

  /** Tells the jar as many waiting events as it has room for, oldest first. */
  feed(target: BacklogTarget<T>): void {
    let room = Math.min(target.room(), this.size);
    while (room > 0) {
      // Taken only once told: an actor that began closing keeps its place here.
      if (!target.tell(this.#items[this.#head] as T)) break;
      this.#items[this.#head] = undefined as T;
      this.#head += 1;
      room -= 1;
    }
    if (this.#head > COMPACT_AFTER && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    if (this.#holding && this.size <= this.lowWater) {
      this.#holding = false;
      this.#onHold(false);
    }
    if (this.size === 0) for (const resolve of this.#emptied.splice(0)) resolve();
  }

  /** Resolves once nothing waits, or after `timeoutMs` (true if emptied). */
  async emptied(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const emptied = await Promise.race([
      new Promise<true>((resolve) => {
        this.#emptied.push(() => {
          resolve(true);
        });
      }),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return emptied;
  }
}

function bad(message: string): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_BAD_OPTION', `The jar's backlog: ${message}.`);
}
