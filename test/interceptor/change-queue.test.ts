/** The extension's queue of cookie changes: overwrites coalesced, deletions kept, batches bounded. */
import { describe, expect, it } from 'vitest';
import { batches, ChangeQueue, MAX_BATCH_BYTES, MAX_BATCH_CHANGES, originsFor, ruleHost, type ExtensionCookie } from '../../extension/src/change-queue.ts';

function cookie(name: string, value: string, fields: Partial<ExtensionCookie> = {}): ExtensionCookie {
  return { name, value, domain: 'example.com', hostOnly: true, path: '/', secure: false, httpOnly: false, sameSite: 'lax', session: true, ...fields };
}

const summary = (queue: ChangeQueue) => queue.take().map((change) => (change.kind === 'set' ? `set ${change.cookie.name}=${change.cookie.value}` : `remove ${change.cookie.name}`));

describe('ChangeQueue', () => {
  it('makes the remove + insert of an overwrite one update, in the removal place', () => {
    const queue = new ChangeQueue();
    queue.push({ removed: false, cookie: cookie('a', '1'), cause: 'explicit' }, 1);
    queue.push({ removed: true, cookie: cookie('b', 'old'), cause: 'overwrite' }, 2);
    queue.push({ removed: false, cookie: cookie('c', '1'), cause: 'explicit' }, 3);
    queue.push({ removed: false, cookie: cookie('b', 'new'), cause: 'explicit' }, 4);
    expect(summary(queue)).toEqual(['set a=1', 'set b=new', 'set c=1']);
    expect(queue.size).toBe(0);
  });

  it('sends deletions and expiries as removals, and an overwrite by an expired cookie too', () => {
    const queue = new ChangeQueue();
    queue.push({ removed: true, cookie: cookie('a', '1'), cause: 'explicit' }, 1);
    queue.push({ removed: true, cookie: cookie('b', '1'), cause: 'expired' }, 2);
    queue.push({ removed: true, cookie: cookie('c', '1'), cause: 'expired_overwrite' }, 3);
    queue.push({ removed: true, cookie: cookie('d', '1'), cause: 'evicted' }, 4);
    expect(summary(queue)).toEqual(['remove a', 'remove b', 'remove c', 'remove d']);
  });

  it('keeps an overwrite removal whose insert never came', () => {
    const queue = new ChangeQueue();
    queue.push({ removed: true, cookie: cookie('a', '1'), cause: 'overwrite' }, 1);
    expect(summary(queue)).toEqual(['remove a']);
    queue.push({ removed: false, cookie: cookie('a', '2'), cause: 'explicit' }, 2);
    expect(summary(queue)).toEqual(['set a=2']);
  });

  it('sends the browser fields jarsync takes, with the expiry only for a persistent cookie', () => {
    const queue = new ChangeQueue();
    queue.push({ removed: false, cookie: cookie('p', '1', { session: false, expirationDate: 1_800_000_000.5, httpOnly: true, secure: true, sameSite: 'no_restriction', hostOnly: false, domain: '.example.com' }), cause: 'explicit' }, 7);
    expect(queue.take()).toEqual([
      { kind: 'set', at: 7, cookie: { domain: '.example.com', hostOnly: false, path: '/', name: 'p', value: '1', httpOnly: true, secure: true, sameSite: 'no_restriction', session: false, expirationDate: 1_800_000_000.5 } },
    ]);
  });

  it('bounds a batch by count and by bytes, and puts a failed batch back in front', () => {
    const queue = new ChangeQueue();
    for (let index = 0; index < MAX_BATCH_CHANGES + 5; index += 1) queue.push({ removed: false, cookie: cookie(`n${index}`, 'v'), cause: 'explicit' }, index);
    const first = queue.take();
    expect(first).toHaveLength(MAX_BATCH_CHANGES);
    queue.putBack(first);
    expect(queue.size).toBe(MAX_BATCH_CHANGES + 5);
    const big = new ChangeQueue();
    for (let index = 0; index < 30; index += 1) big.push({ removed: false, cookie: cookie(`n${index}`, 'v'.repeat(4000)), cause: 'explicit' }, index);
    const batch = big.take();
    expect(batch.length).toBeLessThan(30);
    expect(JSON.stringify(batch).length).toBeLessThan(48 * 1024);
  });
});

describe('batches', () => {
  it('splits a full sync of large cookies into bodies jarsync takes, in order', () => {
    const changes = Array.from({ length: 250 }, (_, index) => ({ kind: 'set' as const, at: index, cookie: { ...cookie(`n${index}`, 'v'.repeat(index % 2 === 0 ? 4000 : 10)) } }));
    const split = batches(changes);
    expect(split.flat()).toEqual(changes);
    for (const batch of split) {
      expect(batch.length).toBeLessThanOrEqual(MAX_BATCH_CHANGES);
      expect(JSON.stringify({ changes: batch, full: true }).length).toBeLessThan(MAX_BATCH_BYTES + 100);
    }
  });
});

describe('host permissions for a domain rule', () => {
  it.each([
    ['example.com', 'example.com', ['*://example.com/*', '*://*.example.com/*']],
    ['https://shop.example.com', 'shop.example.com', ['*://shop.example.com/*']],
    ['http://shop.test:8080', 'shop.test', ['*://shop.test/*']],
    ['127.0.0.1', '127.0.0.1', ['*://127.0.0.1/*']],
  ])('%s: host %s, origins %j', (rule, host, origins) => {
    expect(ruleHost(rule)).toBe(host);
    expect(originsFor(rule)).toEqual(origins);
  });
});
