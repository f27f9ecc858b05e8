import { describe, expect, it, vi } from 'vitest';
import { MAX_COOKIE_AGE_MS } from '../../src/actors/browser-policy.ts';
import type { StoredCookie } from '../../src/store/jar-store.ts';
import { T0, WWW, names, openJar, response, useJarClock } from './jar-harness.ts';

useJarClock();

describe('JarActor, expiry', () => {
  it('removes a cookie when it expires, by a timer, and reports it as expired', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1; Max-Age=60'), response(WWW, 'keep=1'));
    vi.advanceTimersByTime(59_999);
    expect(names(await jar.actor.cookies())).toEqual(['a=1', 'keep=1']);
    expect(jar.changes.filter((change) => change.type === 'expired')).toEqual([]);
    vi.advanceTimersByTime(1);
    // The timer did the work: no query has run since.
    expect(jar.changes.at(-1)).toMatchObject({ type: 'expired', source: 'expiry', url: null, client: null, at: T0 + 60_000 });
    expect(jar.changes.at(-1)?.cookie).toMatchObject({ key: 'a', value: '1' });
    expect(names(await jar.actor.cookies())).toEqual(['keep=1']);
    await jar.actor.flush();
    expect(jar.store.records().map((record) => record.cookie.key)).toEqual(['keep']);
  });

  it('keeps one timer, aimed at the nearest expiry, however many cookies expire', async () => {
    const jar = openJar();
    await jar.tell(...[300, 100, 200, 400].map((seconds) => response(WWW, `c${seconds}=1; Max-Age=${seconds}`)));
    await jar.actor.flush();
    expect(vi.getTimerCount()).toBe(1);
    const expiredAt: [string, number][] = [];
    const start = Date.now();
    for (let step = 0; step < 4; step += 1) {
      vi.advanceTimersToNextTimer();
      expect(vi.getTimerCount()).toBeLessThanOrEqual(2); // the expiry timer, and the flush timer its change armed
      const last = jar.changes.at(-1);
      if (last !== undefined) expiredAt.push([last.cookie.key, (last.at - start) / 1000]);
      await jar.actor.flush();
    }
    expect(expiredAt).toEqual([
      ['c100', 100],
      ['c200', 200],
      ['c300', 300],
      ['c400', 400],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-aims the timer when the nearest cookie is updated or deleted', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1; Max-Age=10'), response(WWW, 'b=1; Max-Age=20'));
    await jar.tell(response(WWW, 'a=1; Max-Age=30'));
    vi.advanceTimersByTime(10_000);
    expect(jar.changes.filter((change) => change.type === 'expired')).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(jar.changes.filter((change) => change.type === 'expired').map((change) => change.cookie.key)).toEqual(['b']);
    vi.advanceTimersByTime(10_000);
    expect(jar.changes.filter((change) => change.type === 'expired').map((change) => change.cookie.key)).toEqual(['b', 'a']);
  });

  it('waits out an expiry further away than the longest timer Node has (24.8 days)', async () => {
    const jar = openJar();
    const thirtyDays = 30 * 24 * 3600;
    await jar.tell(response(WWW, `a=1; Max-Age=${thirtyDays}`));
    vi.advanceTimersByTime(thirtyDays * 1000 - 1);
    expect(await jar.actor.cookies()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(jar.changes.at(-1)).toMatchObject({ type: 'expired', at: T0 + thirtyDays * 1000 });
  });

  it('counts Max-Age from when the header was seen, and caps expiry at 400 days', async () => {
    const jar = openJar();
    await jar.tell(
      response(WWW, 'seen=1; Max-Age=60', T0 - 10_000),
      response(WWW, 'long=1; Max-Age=99999999'),
      response(WWW, 'far=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT'),
    );
    const byName = new Map((await jar.actor.cookies()).map((cookie) => [cookie.key, cookie.expires]));
    expect(byName.get('seen')).toBe(new Date(T0 + 50_000).toISOString());
    expect(byName.get('long')).toBe(new Date(T0 + MAX_COOKIE_AGE_MS).toISOString());
    expect(byName.get('far')).toBe(new Date(T0 + MAX_COOKIE_AGE_MS).toISOString());
  });

  it('lets no query see a cookie past its expiry, even before its timer has fired', async () => {
    let clock = T0;
    const jar = openJar({ now: () => clock });
    await jar.tell(response(WWW, 'a=1; Max-Age=5'));
    clock += 5000; // the injected clock moves; the (fake) timer has not fired
    expect(await jar.actor.cookies()).toEqual([]);
    expect(jar.changes.at(-1)).toMatchObject({ type: 'expired', at: T0 + 5000 });
  });

  it('removes cookies that expired while the jar was closed, when it opens', async () => {
    const records: StoredCookie[] = [
      { origin: 'set-cookie', cookie: { key: 'old', value: '1', domain: 'example.com', path: '/', hostOnly: true, expires: new Date(T0 - 1).toISOString() } },
      { origin: 'set-cookie', cookie: { key: 'live', value: '1', domain: 'example.com', path: '/', hostOnly: true, expires: new Date(T0 + 60_000).toISOString() } },
      { origin: 'request', cookie: { key: 'session', value: '1', domain: 'example.com', path: '/', hostOnly: true } },
    ];
    const jar = openJar({ records });
    expect(names(await jar.actor.cookies())).toEqual(['live=1', 'session=1']);
    expect(jar.changes).toMatchObject([{ type: 'expired', source: 'expiry', cookie: { key: 'old' } }]);
    await jar.actor.flush();
    expect(jar.store.records().map((record) => record.cookie.key).sort()).toEqual(['live', 'session']);
    vi.advanceTimersByTime(60_000);
    expect(jar.changes.at(-1)).toMatchObject({ type: 'expired', cookie: { key: 'live' } });
  });
});
