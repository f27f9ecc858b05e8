import { describe, expect, it } from 'vitest';
import { CertCache } from '../../src/tls/cert-cache.ts';
import type { MintedLeaf } from '../../src/tls/mint-leaf.ts';

const DAY = 86_400_000;
const LIFETIME = 45 * DAY;
const MARGIN = 7 * DAY;

/** A mint function whose every call waits until the test settles it, and a clock the test moves. */
function harness(options: { max?: number } = {}) {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const calls: { host: string; settle: PromiseWithResolvers<MintedLeaf> }[] = [];
  const cache = new CertCache({
    mint: (host) => {
      const settle = Promise.withResolvers<MintedLeaf>();
      calls.push({ host, settle });
      return settle.promise;
    },
    now: () => clock.now,
    renewMarginMs: MARGIN,
    ...(options.max === undefined ? {} : { max: options.max }),
  });
  const leaf = (label: string): MintedLeaf => ({ certPem: label, notBefore: clock.now - DAY, notAfter: clock.now - DAY + LIFETIME });
  /** Resolves the n-th mint call with a leaf labelled `label`, valid from the clock's now. */
  const resolve = async (n: number, label: string): Promise<MintedLeaf> => {
    const call = calls[n];
    if (call === undefined) throw new Error(`no mint call #${n}`);
    const minted = leaf(label);
    call.settle.resolve(minted);
    await Promise.resolve();
    return minted;
  };
  const reject = (n: number): void => {
    calls[n]?.settle.reject(new Error('mint failed'));
  };
  return { cache, clock, calls, resolve, reject };
}

describe('CertCache', () => {
  it('mints once for a burst of 100 concurrent gets of one host', async () => {
    const { cache, calls, resolve } = harness();
    const gets = Array.from({ length: 100 }, () => cache.get('example.com'));
    expect(calls).toHaveLength(1);
    const minted = await resolve(0, 'v1');
    const results = await Promise.all(gets);
    expect(new Set(results)).toEqual(new Set([minted]));
    expect(cache.stats()).toEqual({ size: 1, mints: 1, hits: 99, failures: 0 });
    expect(await cache.get('example.com')).toBe(minted);
    expect(cache.stats()).toMatchObject({ mints: 1, hits: 100 });
  });

  it('mints each host separately', async () => {
    const { cache, calls, resolve } = harness();
    const a = cache.get('a.example');
    const b = cache.get('b.example');
    expect(calls.map((call) => call.host)).toEqual(['a.example', 'b.example']);
    await resolve(0, 'a');
    await resolve(1, 'b');
    expect((await a).certPem).toBe('a');
    expect((await b).certPem).toBe('b');
  });

  it('evicts the least recently used host beyond its cap', async () => {
    const { cache, calls, resolve } = harness({ max: 2 });
    const a = cache.get('a.example');
    const b = cache.get('b.example');
    await resolve(0, 'a');
    await resolve(1, 'b');
    await Promise.all([a, b]);
    await cache.get('a.example'); // a is now more recent than b
    const c = cache.get('c.example');
    await resolve(2, 'c');
    await c;
    expect(cache.stats().size).toBe(2);
    await cache.get('a.example');
    expect(calls).toHaveLength(3);
    const again = cache.get('b.example');
    expect(calls.map((call) => call.host)).toEqual(['a.example', 'b.example', 'c.example', 'b.example']);
    await resolve(3, 'b2');
    expect((await again).certPem).toBe('b2');
    expect(cache.stats()).toMatchObject({ size: 2, mints: 4 });
  });

  it('serves a leaf inside the renewal margin while one re-mint runs, then the new leaf', async () => {
    const { cache, clock, calls, resolve } = harness();
    const first = cache.get('example.com');
    const v1 = await resolve(0, 'v1');
    await first;

    clock.now = v1.notAfter - MARGIN - 1000; // a second before the margin: no renewal
    expect(await cache.get('example.com')).toBe(v1);
    expect(calls).toHaveLength(1);

    clock.now = v1.notAfter - MARGIN + 1000; // inside the margin: old leaf now, one renewal
    expect(await cache.get('example.com')).toBe(v1);
    expect(await cache.get('example.com')).toBe(v1);
    expect(calls).toHaveLength(2);

    const v2 = await resolve(1, 'v2');
    await Promise.resolve();
    expect(await cache.get('example.com')).toBe(v2);
    expect(v2.notAfter).toBeGreaterThan(v1.notAfter);
    expect(cache.stats()).toMatchObject({ size: 1, mints: 2, failures: 0 });
  });

  it('never serves an expired leaf: the caller waits for the re-mint', async () => {
    const { cache, clock, calls, resolve } = harness();
    const first = cache.get('example.com');
    const v1 = await resolve(0, 'v1');
    await first;

    clock.now = v1.notAfter;
    let settled: MintedLeaf | null = null;
    const waiting = cache.get('example.com').then((leaf) => (settled = leaf));
    const joining = cache.get('example.com');
    await Promise.resolve();
    expect(settled).toBeNull();
    expect(calls).toHaveLength(2);
    const v2 = await resolve(1, 'v2');
    expect(await waiting).toBe(v2);
    expect(await joining).toBe(v2);
  });

  it('does not cache a failed mint: the next get mints again', async () => {
    const { cache, calls, reject, resolve } = harness();
    const failing = [cache.get('example.com'), cache.get('example.com')];
    reject(0);
    for (const get of failing) await expect(get).rejects.toThrow('mint failed');
    expect(cache.stats()).toEqual({ size: 0, mints: 1, hits: 1, failures: 1 });

    const retry = cache.get('example.com');
    expect(calls).toHaveLength(2);
    const v1 = await resolve(1, 'v1');
    expect(await retry).toBe(v1);
    expect(cache.stats()).toMatchObject({ size: 1, mints: 2, failures: 1 });
  });

  it('keeps the old leaf when a renewal fails, and retries on the next get', async () => {
    const { cache, clock, calls, reject, resolve } = harness();
    const first = cache.get('example.com');
    const v1 = await resolve(0, 'v1');
    await first;

    clock.now = v1.notAfter - DAY;
    expect(await cache.get('example.com')).toBe(v1);
    reject(1);
    await new Promise((settle) => setImmediate(settle));
    expect(cache.stats()).toMatchObject({ failures: 1 });

    expect(await cache.get('example.com')).toBe(v1);
    expect(calls).toHaveLength(3);
    const v2 = await resolve(2, 'v2');
    await Promise.resolve();
    expect(await cache.get('example.com')).toBe(v2);
  });

  it('turns a mint function that throws into a rejection, not cached', async () => {
    let attempts = 0;
    const cache = new CertCache({
      mint: () => {
        attempts++;
        throw new Error('synchronous failure');
      },
    });
    await expect(cache.get('example.com')).rejects.toThrow('synchronous failure');
    await expect(cache.get('example.com')).rejects.toThrow('synchronous failure');
    expect(attempts).toBe(2);
    expect(cache.stats()).toEqual({ size: 0, mints: 2, hits: 0, failures: 2 });
  });

  it('refuses a cap or margin it cannot use, with JARSYNC_ERR_BAD_OPTION', () => {
    const mint = (): Promise<MintedLeaf> => Promise.reject(new Error('unused'));
    expect(() => new CertCache({ mint, max: 0 })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }));
    expect(() => new CertCache({ mint, max: 1.5 })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }));
    expect(() => new CertCache({ mint, renewMarginMs: -1 })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }));
  });
});
