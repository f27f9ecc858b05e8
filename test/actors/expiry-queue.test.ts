import { describe, expect, it } from 'vitest';
import { ExpiryQueue } from '../../src/actors/expiry-queue.ts';

describe('ExpiryQueue', () => {
  it('gives back any sequence of pushes nearest first', () => {
    // A fixed pseudo-random sequence with ties: the heap must not depend on luck.
    let seed = 7;
    const random = (): number => (seed = (seed * 48271) % 2147483647) % 1000;
    const queue = new ExpiryQueue<number>();
    const pushed: number[] = [];
    for (let index = 0; index < 500; index += 1) {
      const time = random();
      pushed.push(time);
      queue.push(time, index);
      if (index % 7 === 0) queue.pop(); // interleaved pops keep it honest
    }
    const popped: number[] = [];
    while (queue.size > 0) {
      popped.push(queue.peekTime());
      queue.pop();
    }
    expect(popped).toEqual([...popped].sort((a, b) => a - b));
    expect(popped).toHaveLength(500 - Math.ceil(500 / 7));
    expect(queue.peekTime()).toBe(Infinity);
    expect(queue.peek()).toBeUndefined();
  });

  it('keeps each item with its time, and prunes stale entries from the top', () => {
    const queue = new ExpiryQueue<string>();
    queue.push(30, 'c');
    queue.push(10, 'a');
    queue.push(20, 'b');
    expect([queue.peekTime(), queue.peek()]).toEqual([10, 'a']);
    queue.pruneTop((_time, item) => item !== 'b');
    expect([queue.peekTime(), queue.peek(), queue.size]).toEqual([20, 'b', 2]);
    queue.clear();
    expect(queue.size).toBe(0);
  });
});
