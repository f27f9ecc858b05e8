/**
 * Cookies a browser reports, into the jar actor: as the browser holds them,
 * latest wins, with the reporting browser as the change's source.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserCookie, BrowserCookieChange } from '../../src/browser-cookie.ts';
import { names, openJar, T0, useJarClock } from '../actors/jar-harness.ts';

useJarClock();

const DAY_S = 24 * 60 * 60;

function cookie(fields: Partial<BrowserCookie> = {}): BrowserCookie {
  return { domain: 'www.example.com', hostOnly: true, path: '/', name: 'sid', value: 'a', httpOnly: false, secure: false, session: true, ...fields };
}

const set = (fields: Partial<BrowserCookie> = {}, at = T0): BrowserCookieChange => ({ kind: 'set', cookie: cookie(fields), at });
const remove = (domain: string, name: string, at = T0, path = '/'): BrowserCookieChange => ({ kind: 'remove', cookie: { domain, path, name }, at });

describe('JarActor.applyBrowserCookies', () => {
  it('stores a browser cookie with all its attributes and reports the source', async () => {
    const jar = openJar();
    const expirationDate = T0 / 1000 + DAY_S + 0.25;
    const results = await jar.actor.applyBrowserCookies({
      source: 'interceptor',
      client: 'interceptor',
      changes: [set({ domain: '.Example.com', hostOnly: false, path: '/app', httpOnly: true, secure: true, session: false, expirationDate, sameSite: 'no_restriction' })],
    });
    expect(results).toMatchObject([{ outcome: 'changed', change: { type: 'added', source: 'interceptor', client: 'interceptor' } }]);
    const [stored] = await jar.actor.cookies();
    expect(stored).toMatchObject({ key: 'sid', value: 'a', domain: 'example.com', path: '/app', httpOnly: true, secure: true, sameSite: 'none', expires: new Date(T0 + DAY_S * 1000 + 250).toISOString() });
    expect(stored?.hostOnly).not.toBe(true);
    expect(await jar.actor.cookieHeader('https://m.example.com/app/x')).toBe('sid=a');
    expect(await jar.actor.cookieHeader('http://m.example.com/app/x')).toBe('');
  });

  it('keeps a host-only session cookie host-only, and maps lax, strict and unspecified', async () => {
    const jar = openJar();
    await jar.actor.applyBrowserCookies({
      source: 'cdp',
      client: 'cdp@127.0.0.1:9222',
      changes: [set({ name: 'l', sameSite: 'lax' }), set({ name: 's', sameSite: 'strict' }), set({ name: 'u', sameSite: 'unspecified' })],
    });
    const stored = await jar.actor.cookies();
    expect(stored.map((held) => [held.key, held.hostOnly, held.sameSite, held.expires])).toEqual([
      ['l', true, 'lax', undefined],
      ['s', true, 'strict', undefined],
      ['u', true, undefined, undefined],
    ]);
    expect(jar.changes.map((change) => change.source)).toEqual(['cdp', 'cdp', 'cdp']);
    expect(await jar.actor.cookieHeader('http://sub.www.example.com/')).toBe('');
  });

  it('reports a repeat as unchanged, a new value as updated, and a removal as deleted', async () => {
    const jar = openJar();
    const apply = (...changes: BrowserCookieChange[]) => jar.actor.applyBrowserCookies({ source: 'interceptor', client: 'interceptor', changes });
    await apply(set());
    expect(await apply(set({}, T0 + 1))).toEqual([{ outcome: 'unchanged' }]);
    await apply(set({ value: 'b' }, T0 + 2));
    await apply(remove('www.example.com', 'sid', T0 + 3));
    expect(jar.changes.map((change) => [change.type, change.cookie.value, change.source])).toEqual([
      ['added', 'a', 'interceptor'],
      ['updated', 'b', 'interceptor'],
      ['deleted', 'b', 'interceptor'],
    ]);
    expect(await jar.actor.cookies()).toEqual([]);
  });

  it('lets the latest change win: an older set or removal arriving late changes nothing', async () => {
    const jar = openJar();
    const apply = (...changes: BrowserCookieChange[]) => jar.actor.applyBrowserCookies({ source: 'interceptor', client: 'interceptor', changes });
    await apply(set({ value: 'new' }, T0 - 20));
    await apply(set({ value: 'old' }, T0 - 25), remove('www.example.com', 'sid', T0 - 24));
    expect(names(await jar.actor.cookies())).toEqual(['sid=new']);
    await apply(remove('www.example.com', 'sid', T0 - 10));
    await apply(set({ value: 'before-removal' }, T0 - 15));
    expect(await jar.actor.cookies()).toEqual([]);
    expect(jar.actor.stats().stale).toBe(3);
  });

  it('takes a change time in the future as now', async () => {
    const jar = openJar();
    await jar.actor.applyBrowserCookies({ source: 'interceptor', client: 'interceptor', changes: [set({ value: 'future' }, T0 + 60_000)] });
    await jar.actor.applyBrowserCookies({ source: 'interceptor', client: 'interceptor', changes: [set({ value: 'now' }, T0)] });
    expect(names(await jar.actor.cookies())).toEqual(['sid=now']);
  });

  it('deletes a held cookie when the browser reports it with an expiry in the past', async () => {
    const jar = openJar();
    const apply = (...changes: BrowserCookieChange[]) => jar.actor.applyBrowserCookies({ source: 'interceptor', client: 'interceptor', changes });
    await apply(set());
    await apply(set({ session: false, expirationDate: T0 / 1000 - 60 }, T0 + 1));
    expect(jar.changes.map((change) => change.type)).toEqual(['added', 'deleted']);
  });

  it('refuses what the jar cannot hold: an empty name, a relative path, more than 4096 bytes', async () => {
    const jar = openJar();
    const results = await jar.actor.applyBrowserCookies({
      source: 'interceptor',
      client: 'interceptor',
      changes: [set({ name: '' }), set({ path: 'x' }), set({ value: 'v'.repeat(4100) })],
    });
    expect(results.map((result) => (result.outcome === 'refused' ? result.refusal.reason : result.outcome))).toEqual(['parse', 'parse', 'too-large']);
    expect(jar.refusals.every((refusal) => !refusal.header.includes('vvvv'))).toBe(true);
    expect(await jar.actor.cookies()).toEqual([]);
  });

  it('overwrites a cookie the proxy stored under the same key', async () => {
    const jar = openJar();
    const { response } = await import('../actors/jar-harness.ts');
    await jar.tell(response('https://www.example.com/', 'sid=proxy; Path=/', T0));
    await jar.actor.applyBrowserCookies({ source: 'interceptor', client: 'interceptor', changes: [set({ value: 'browser' }, T0 + 1)] });
    expect(names(await jar.actor.cookies())).toEqual(['sid=browser']);
    expect(jar.changes.at(-1)).toMatchObject({ type: 'updated', source: 'interceptor', previous: { value: 'proxy' } });
  });
});
