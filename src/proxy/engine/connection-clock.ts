/**
 * One timer for every client connection of a worker, as Node's own server
 * keeps one for its connections: each tick visits them all, and each checks
 * its own deadlines (request head, idle keep-alive, stalled request, the
 * upstream connect and response timeouts of its exchange). Nothing is armed
 * or cleared per request; a deadline is a number compared once a tick.
 *
 * The tick is a quarter of the shortest deadline, within 20 ms … 1 s: a
 * deadline fires at most a quarter late, and 10,000 idle connections cost
 * one visit each a second.
 */
import { performance } from 'node:perf_hooks';

export interface ClockVisited {
  check(now: number): void;
}

/** The tick for these deadlines (ms; 0 or less: none). */
export function tickMs(...deadlinesMs: readonly number[]): number {
  const shortest = Math.min(...deadlinesMs.filter((ms) => ms > 0), 4_000);
  return Math.min(1_000, Math.max(20, Math.floor(shortest / 4)));
}

export class ConnectionClock<T extends ClockVisited> {
  readonly #everyMs: number;
  readonly #visited = new Set<T>();
  #timer: NodeJS.Timeout | undefined;

  constructor(everyMs: number) {
    this.#everyMs = everyMs;
  }

  get size(): number {
    return this.#visited.size;
  }

  add(item: T): void {
    this.#visited.add(item);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#tick();
    }, this.#everyMs);
    this.#timer.unref();
  }

  delete(item: T): void {
    this.#visited.delete(item);
  }

  /** Every item, for a drain. */
  items(): IterableIterator<T> {
    return this.#visited.values();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    if (this.#visited.size === 0) {
      this.stop();
      return;
    }
    const now = performance.now();
    // A visit may close connections; their 'close' events come later, so the set holds still meanwhile.
    for (const item of this.#visited) item.check(now);
  }
}
