import { describe, expect, it } from 'vitest';
import { DropOldestQueue } from '../../src/supervisor/admin-event-queue.ts';

function drain(queue: DropOldestQueue): string[] {
  const frames: string[] = [];
  for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) frames.push(frame);
  return frames;
}

describe('DropOldestQueue', () => {
  it('is a FIFO below its limits', () => {
    const queue = new DropOldestQueue({ maxFrames: 4 });
    for (const frame of ['a', 'b', 'c']) queue.push(frame);
    expect(queue.size).toBe(3);
    expect(drain(queue)).toEqual(['a', 'b', 'c']);
    expect(queue.dropped).toBe(0);
  });

  it('drops the oldest frames past maxFrames and counts them', () => {
    const queue = new DropOldestQueue({ maxFrames: 3 });
    for (const frame of ['1', '2', '3', '4', '5', '6', '7']) queue.push(frame);
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(4);
    expect(drain(queue)).toEqual(['5', '6', '7']);
    expect(queue.takeDropped()).toBe(4);
    expect(queue.takeDropped()).toBe(0);
  });

  it('drops the oldest frames past maxBytes', () => {
    const queue = new DropOldestQueue({ maxFrames: 100, maxBytes: 10 });
    for (const frame of ['aaaa', 'bbbb', 'cccc']) queue.push(frame);
    expect(queue.dropped).toBe(1);
    expect(drain(queue)).toEqual(['bbbb', 'cccc']);
  });

  it('drops a frame larger than maxBytes on its own, keeping the rest', () => {
    const queue = new DropOldestQueue({ maxBytes: 5 });
    queue.push('abc');
    queue.push('0123456789');
    expect(queue.dropped).toBe(1);
    expect(drain(queue)).toEqual(['abc']);
  });

  it('keeps its order across the ring wrapping many times', () => {
    const queue = new DropOldestQueue({ maxFrames: 5 });
    const taken: string[] = [];
    for (let index = 0; index < 1000; index += 1) {
      queue.push(String(index));
      if (index % 3 === 0) taken.push(queue.shift() ?? 'missing');
    }
    taken.push(...drain(queue));
    expect(taken.length + queue.takeDropped()).toBe(1000);
    expect(taken.map(Number)).toEqual([...taken.map(Number)].sort((a, b) => a - b));
    expect(taken.at(-1)).toBe('999');
  });

  it('defaults to 10,000 frames', () => {
    const queue = new DropOldestQueue();
    for (let index = 0; index < 10_005; index += 1) queue.push('x');
    expect(queue.size).toBe(10_000);
    expect(queue.dropped).toBe(5);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxFrames %s', (maxFrames) => {
    expect(() => new DropOldestQueue({ maxFrames })).toThrow(RangeError);
  });
});
