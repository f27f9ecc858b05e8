import { describe, expect, it } from 'vitest';
import { Mailbox } from '../../src/actors/mailbox.ts';

describe('Mailbox', () => {
  it('processes in order, at most sliceSize messages per scheduled slice', () => {
    const processed: number[] = [];
    const slices: (() => void)[] = [];
    const mailbox = new Mailbox<number>({ sliceSize: 2, process: (message) => processed.push(message), schedule: (callback) => slices.push(callback) });
    for (let index = 1; index <= 5; index += 1) mailbox.post(index);
    expect(slices).toHaveLength(0); // not started
    mailbox.start();
    const afterEachSlice: number[][] = [];
    while (slices.length > 0) {
      slices.shift()?.();
      afterEachSlice.push([...processed]);
    }
    expect(afterEachSlice).toEqual([[1, 2], [1, 2, 3, 4], [1, 2, 3, 4, 5]]);
  });

  it('goes on after a message whose processing throws, and hands the error to onError', () => {
    const errors: unknown[] = [];
    const processed: number[] = [];
    const slices: (() => void)[] = [];
    const mailbox = new Mailbox<number>({
      process: (message) => {
        if (message === 2) throw new Error('boom');
        processed.push(message);
      },
      schedule: (callback) => slices.push(callback),
      onError: (error) => errors.push(error),
    });
    mailbox.start();
    [1, 2, 3].forEach((message) => mailbox.post(message));
    slices.shift()?.();
    expect(processed).toEqual([1, 3]);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('holds at most capacity messages, wrapping around its buffer', async () => {
    const processed: number[] = [];
    const mailbox = new Mailbox<number>({ capacity: 20, sliceSize: 7, process: (message) => processed.push(message) });
    mailbox.start();
    let next = 0;
    for (let round = 0; round < 5; round += 1) {
      while (mailbox.post(next)) next += 1;
      expect(mailbox.size).toBe(20);
      await mailbox.drained();
    }
    expect(processed).toEqual(Array.from({ length: next }, (_, index) => index));
    expect(mailbox.refused).toBe(5);
  });

  it('tells its room, and calls onSlice after each slice, when the room is free again', () => {
    const slices: (() => void)[] = [];
    const rooms: number[] = [];
    const mailbox: Mailbox<number> = new Mailbox<number>({
      capacity: 5,
      sliceSize: 2,
      process: () => undefined,
      schedule: (callback) => slices.push(callback),
      onSlice: () => rooms.push(mailbox.room),
    });
    mailbox.start();
    for (let index = 0; index < 5; index += 1) mailbox.post(index);
    expect(mailbox.room).toBe(0);
    while (slices.length > 0) slices.shift()?.();
    expect(rooms).toEqual([2, 4, 5]);
  });
});
