/**
 * The jar's backlog without threads or sockets: a target that takes what its
 * room allows, and the marks that start and end the hold.
 */
import { describe, expect, it } from 'vitest';
import { EventBacklog } from '../../src/supervisor/event-backlog.ts';
import type { BacklogTarget } from '../../src/supervisor/event-backlog.ts';

/** A mailbox stand-in: holds up to `capacity`, `drain(n)` processes the oldest n. */
class Target implements BacklogTarget<number> {
  readonly taken: number[] = [];
  waiting = 0;
  open = true;
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  tell(item: number): boolean {
    if (!this.open || this.waiting >= this.capacity) return false;
    this.taken.push(item);
    this.waiting += 1;
    return true;
  }

  room(): number {
    return this.open ? this.capacity - this.waiting : 0;
  }

  drain(count: number): void {
    this.waiting = Math.max(0, this.waiting - count);
  }
}

function backlog(options: { capacity: number; highWater: number; lowWater: number }) {
  const holds: boolean[] = [];
  const lost: number[] = [];
  const queue = new EventBacklog<number>({ ...options, onHold: (held) => holds.push(held), onLost: (item) => lost.push(item) });
  return { queue, holds, lost };
}

describe('EventBacklog', () => {
  it('tells the jar at once while it has room and nothing waits', () => {
    const { queue, holds } = backlog({ capacity: 10, highWater: 5, lowWater: 1 });
    const target = new Target(3);
    for (const item of [1, 2, 3]) queue.offer(item, target);
    expect(target.taken).toEqual([1, 2, 3]);
    expect(queue.stats()).toMatchObject({ size: 0, held: 0, lost: 0 });
    expect(holds).toEqual([]);
  });

  it('keeps what the full jar refuses, in order, and feeds it back as room is made', () => {
    const { queue } = backlog({ capacity: 100, highWater: 50, lowWater: 5 });
    const target = new Target(2);
    for (let item = 1; item <= 9; item += 1) queue.offer(item, target);
    expect(target.taken).toEqual([1, 2]);
    expect(queue.size).toBe(7);
    target.drain(1);
    queue.feed(target);
    expect(target.taken).toEqual([1, 2, 3]);
    // Room now, but events wait: a new one goes behind them, never ahead.
    target.drain(2);
    queue.offer(10, target);
    expect(target.taken).toEqual([1, 2, 3]);
    queue.feed(target);
    expect(target.taken).toEqual([1, 2, 3, 4, 5]);
    for (let round = 0; round < 10; round += 1) {
      target.drain(2);
      queue.feed(target);
    }
    expect(target.taken).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(queue.stats()).toMatchObject({ size: 0, peak: 7, held: 8, lost: 0 });
  });

  it('holds at the high-water mark and lets go at the low-water mark, once each way', () => {
    const { queue, holds } = backlog({ capacity: 20, highWater: 6, lowWater: 2 });
    const target = new Target(1);
    for (let item = 0; item < 6; item += 1) queue.offer(item, target);
    expect(queue.size).toBe(5);
    expect(holds).toEqual([]);
    queue.offer(6, target);
    expect(holds).toEqual([true]);
    queue.offer(7, target);
    expect(holds).toEqual([true]);
    // Down to 3: still held (over the low-water mark).
    for (let round = 0; round < 4; round += 1) {
      target.drain(1);
      queue.feed(target);
    }
    expect(queue.size).toBe(3);
    expect(holds).toEqual([true]);
    target.drain(1);
    queue.feed(target);
    expect(queue.size).toBe(2);
    expect(holds).toEqual([true, false]);
    expect(queue.holding).toBe(false);
  });

  it('loses an event only when it is full, counts it and says so', () => {
    const { queue, lost } = backlog({ capacity: 3, highWater: 2, lowWater: 0 });
    const target = new Target(1);
    for (let item = 0; item < 6; item += 1) queue.offer(item, target);
    expect(target.taken).toEqual([0]);
    expect(lost).toEqual([4, 5]);
    expect(queue.stats()).toMatchObject({ size: 3, lost: 2, held: 3 });
  });

  it('stops feeding a jar that refuses (closing), keeping the event it refused', () => {
    const { queue } = backlog({ capacity: 10, highWater: 5, lowWater: 1 });
    const target = new Target(1);
    for (const item of [1, 2, 3]) queue.offer(item, target);
    target.drain(1);
    target.open = false;
    queue.feed(target);
    expect(queue.size).toBe(2);
    target.open = true;
    queue.feed(target);
    expect(target.taken).toEqual([1, 2]);
  });

  it('tells when it has emptied, or that it has not within the time given', async () => {
    const { queue } = backlog({ capacity: 10, highWater: 5, lowWater: 1 });
    const target = new Target(1);
    queue.offer(1, target);
    expect(await queue.emptied(10)).toBe(true);
    queue.offer(2, target);
    expect(await queue.emptied(20)).toBe(false);
    const emptied = queue.emptied(1_000);
    target.drain(1);
    queue.feed(target);
    expect(await emptied).toBe(true);
  });

  it('refuses marks it cannot use, with JARSYNC_ERR_BAD_OPTION', () => {
    const code: unknown = expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' });
    for (const marks of [
      { capacity: 0, highWater: 1, lowWater: 0 },
      { capacity: 10, highWater: 11, lowWater: 0 },
      { capacity: 10, highWater: 0, lowWater: 0 },
      { capacity: 10, highWater: 5, lowWater: 5 },
      { capacity: 10, highWater: 5, lowWater: -1 },
    ]) {
      expect(() => backlog(marks)).toThrow(code);
    }
  });
});
