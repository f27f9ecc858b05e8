import { describe, expect, it } from 'vitest';
import type { CookieEvent } from '../../src/cookie-event.ts';
import { EventBatcher } from '../../src/proxy/event-batcher.ts';

const event = (n: number): CookieEvent => ({ source: 'response', scheme: 'http', host: 'a.test', port: 80, url: 'http://a.test/', header: `n=${n}`, client: 'c', at: n });

describe('EventBatcher', () => {
  it('sends a full batch at once and the rest at the end of the turn', async () => {
    const batches: number[][] = [];
    const batcher = new EventBatcher((events) => batches.push(events.map((e) => e.at)), 3);
    for (let n = 1; n <= 7; n++) batcher.push(event(n));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6]]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(batcher.sent).toBe(7);
  });

  it('flushes on demand and sends nothing empty', () => {
    const batches: CookieEvent[][] = [];
    const batcher = new EventBatcher((events) => batches.push(events), 100);
    batcher.flush();
    batcher.push(event(1));
    batcher.flush();
    expect(batches).toHaveLength(1);
  });
});
