import { describe, expect, it, vi } from 'vitest';
import type { RefusalReason } from '../../src/actors/cookie-change.ts';
import { maskSetCookieLine } from '../../src/actors/mask-cookie-values.ts';
import { CLIENT, T0, WWW, names, openJar, response, useJarClock } from './jar-harness.ts';

useJarClock();

describe('JarActor, response side', () => {
  it('adds a cookie and reports the change with its cause', async () => {
    const jar = openJar();
    await jar.tell(response('https://www.example.com/account/login', 'sid=abc; HttpOnly; Path=/; SameSite=Lax'));
    expect(jar.changes).toEqual([
      {
        type: 'added',
        cookie: {
          key: 'sid',
          value: 'abc',
          domain: 'www.example.com',
          path: '/',
          httpOnly: true,
          hostOnly: true,
          sameSite: 'lax',
          creation: new Date(T0).toISOString(),
          lastAccessed: new Date(T0).toISOString(),
        },
        source: 'response',
        url: 'https://www.example.com/account/login',
        client: CLIENT,
        at: T0,
      },
    ]);
    expect(jar.actor.stats().applied.added).toBe(1);
  });

  it.each([
    { what: 'the value changes', first: 'a=1', second: 'a=2', field: 'value', after: '2' },
    { what: 'HttpOnly is added', first: 'a=1', second: 'a=1; HttpOnly', field: 'httpOnly', after: true },
    { what: 'Secure is added', first: 'a=1', second: 'a=1; Secure', field: 'secure', after: true },
    { what: 'SameSite changes', first: 'a=1; SameSite=Lax', second: 'a=1; SameSite=Strict', field: 'sameSite', after: 'strict' },
    { what: 'Max-Age changes', first: 'a=1; Max-Age=60', second: 'a=1; Max-Age=120', field: 'expires', after: new Date(T0 + 120_000).toISOString() },
    { what: 'an extension is added', first: 'a=1', second: 'a=1; Partitioned', field: 'extensions', after: ['Partitioned'] },
    { what: 'the value becomes empty', first: 'a=1', second: 'a=', field: 'value', after: '' },
    { what: 'Expires changes', first: 'a=1; Expires=Wed, 01 Apr 2026 00:00:00 GMT', second: 'a=1; Expires=Thu, 02 Apr 2026 00:00:00 GMT', field: 'expires', after: '2026-04-02T00:00:00.000Z' },
  ])('updates a cookie when $what', async ({ first, second, field, after }) => {
    const jar = openJar();
    await jar.tell(response(WWW, first), response(WWW, second));
    expect(jar.changes.map((change) => change.type)).toEqual(['added', 'updated']);
    const updated = jar.changes[1];
    expect(updated?.cookie).toHaveProperty(field, after);
    expect(updated?.previous).toEqual(jar.changes[0]?.cookie);
    expect(await jar.actor.cookies()).toHaveLength(1);
  });

  it.each([
    'a=1',
    'a=1; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Strict',
    'a=1; Max-Age=3600',
    'a=1; Expires=Wed, 01 Apr 2026 00:00:00 GMT',
  ])('a Set-Cookie identical to what is held changes nothing: %s', async (line) => {
    const jar = openJar();
    await jar.tell(response(WWW, line));
    vi.advanceTimersByTime(1000);
    // Max-Age counts from when each line was seen: the same line a second later is a new expiry.
    const at = line.includes('Max-Age') ? T0 : Date.now();
    await jar.tell(response(WWW, line, at));
    expect(jar.changes.map((change) => change.type)).toEqual(['added']);
    expect(jar.actor.stats().unchanged).toBe(1);
  });

  it('keeps the latest value per (domain, path, name); other paths and domains coexist', async () => {
    const jar = openJar();
    await jar.tell(
      response(WWW, 'a=1; Path=/'),
      response(WWW, 'a=2; Path=/app'),
      response(WWW, 'a=3; Domain=example.com; Path=/'),
      response(WWW, 'a=4; Path=/'),
      response(WWW, 'a=5; Path=/app'),
    );
    expect(names(await jar.actor.cookies())).toEqual(['a=4', 'a=5', 'a=3']);
    expect(await jar.actor.cookieHeader('https://www.example.com/app/page')).toBe('a=5; a=4; a=3');
    expect(jar.changes.map((change) => change.type)).toEqual(['added', 'added', 'added', 'updated', 'updated']);
  });

  it('stores a Domain cookie from a subdomain for the domain and every subdomain', async () => {
    const jar = openJar();
    await jar.tell(response('https://login.example.com/', 'sso=1; Domain=example.com; Path=/'));
    expect(jar.changes[0]?.cookie).toMatchObject({ domain: 'example.com', hostOnly: false });
    for (const url of ['https://example.com/', 'https://www.example.com/', 'https://a.b.example.com/x']) {
      expect(await jar.actor.cookieHeader(url)).toBe('sso=1');
    }
    expect(await jar.actor.cookieHeader('https://notexample.com/')).toBe('');
  });

  it.each<{ readonly reason: RefusalReason; readonly url: string; readonly line: string }>([
    { reason: 'parse', url: WWW, line: 'no-equals-sign' },
    { reason: 'parse', url: WWW, line: '=value-without-name' },
    { reason: 'parse', url: WWW, line: 'a=tab\tinside' },
    { reason: 'public-suffix', url: WWW, line: 'a=1; Domain=com' },
    { reason: 'public-suffix', url: 'https://shop.example.co.uk/', line: 'a=1; Domain=co.uk' },
    { reason: 'public-suffix', url: 'https://me.github.io/', line: 'a=1; Domain=github.io' },
    { reason: 'domain-mismatch', url: WWW, line: 'a=1; Domain=other.com' },
    { reason: 'domain-mismatch', url: 'https://example.com/', line: 'a=1; Domain=www.example.com' },
    { reason: 'domain-mismatch', url: 'https://www.example.com/', line: 'a=1; Domain=notexample.com' },
    { reason: 'secure-from-insecure', url: 'http://www.example.com/', line: 'a=1; Secure' },
    { reason: 'secure-from-insecure', url: 'http://192.168.1.10/', line: 'a=1; Secure' },
    { reason: 'prefix', url: WWW, line: '__Secure-a=1' },
    { reason: 'prefix', url: WWW, line: '__secure-a=1; Path=/' },
    { reason: 'prefix', url: WWW, line: '__Host-a=1; Path=/' },
    { reason: 'prefix', url: WWW, line: '__Host-a=1; Secure' },
    { reason: 'prefix', url: WWW, line: '__Host-a=1; Secure; Path=/app' },
    { reason: 'prefix', url: WWW, line: '__Host-a=1; Secure; Path=/; Domain=example.com' },
    { reason: 'prefix', url: WWW, line: '__HOST-a=1; Secure; Domain=www.example.com; Path=/' },
    { reason: 'samesite-none-insecure', url: WWW, line: 'a=1; SameSite=None' },
    { reason: 'samesite-none-insecure', url: 'http://localhost:3000/', line: 'a=1; SameSite=None' },
    { reason: 'too-large', url: WWW, line: `a=${'x'.repeat(4096)}` },
    { reason: 'too-large', url: WWW, line: `${'n'.repeat(2048)}=${'é'.repeat(1025)}` },
  ])('refuses $line from $url: $reason', async ({ reason, url, line }) => {
    const jar = openJar();
    await jar.tell(response(url, line));
    // The refusal shows the line with its value masked (mask-cookie-values.test.ts).
    expect(jar.refusals).toEqual([{ reason, detail: expect.any(String) as string, header: maskSetCookieLine(line), url, client: CLIENT, at: T0 }]);
    expect(jar.changes).toEqual([]);
    expect(await jar.actor.cookies()).toEqual([]);
    expect(jar.actor.stats().refused[reason]).toBe(1);
  });

  it.each([
    { why: 'Secure from https', url: WWW, line: 'a=1; Secure', sentTo: WWW },
    { why: 'Secure from http://localhost (a secure context, as in Chromium)', url: 'http://localhost:3000/', line: 'a=1; Secure', sentTo: 'http://localhost:3000/' },
    { why: 'Secure from http://127.0.0.1', url: 'http://127.0.0.1:8080/', line: 'a=1; Secure', sentTo: 'http://127.0.0.1:8080/' },
    { why: '__Secure- with Secure', url: WWW, line: '__Secure-a=1; Secure', sentTo: WWW },
    { why: '__Host- with Secure, Path=/ and no Domain', url: WWW, line: '__Host-a=1; Secure; Path=/', sentTo: WWW },
    { why: 'SameSite=None with Secure', url: WWW, line: 'a=1; SameSite=None; Secure', sentTo: WWW },
    { why: '4096 bytes of name and value', url: WWW, line: `a=${'x'.repeat(4095)}`, sentTo: WWW },
    { why: 'Domain= the host itself, a public suffix (RFC 6265 5.3 step 5: host-only)', url: 'https://github.io/', line: 'a=1; Domain=github.io', sentTo: 'https://github.io/' },
    { why: 'Domain= a registrable name under a special-use suffix', url: 'http://app.jarsync.test/', line: 'a=1; Domain=jarsync.test', sentTo: 'http://api.jarsync.test/' },
  ])('accepts $why', async ({ url, line, sentTo }) => {
    const jar = openJar();
    await jar.tell(response(url, line));
    expect(jar.refusals).toEqual([]);
    expect(await jar.actor.cookieHeader(sentTo)).toBe(line.split(';')[0]);
  });

  it('makes a public-suffix Domain equal to the host host-only', async () => {
    const jar = openJar();
    await jar.tell(response('https://github.io/', 'a=1; Domain=github.io'));
    expect(jar.changes[0]?.cookie).toMatchObject({ domain: 'github.io', hostOnly: true });
    expect(await jar.actor.cookieHeader('https://me.github.io/')).toBe('');
  });

  it.each([
    { how: 'Max-Age=0', line: 'a=gone; Max-Age=0' },
    { how: 'a negative Max-Age', line: 'a=gone; Max-Age=-1' },
    { how: 'an Expires in the past', line: 'a=gone; Expires=Thu, 01 Jan 1970 00:00:01 GMT' },
    { how: 'Max-Age=0 winning over a future Expires', line: 'a=gone; Max-Age=0; Expires=Wed, 01 Apr 2026 00:00:00 GMT' },
  ])('deletes at once with $how, and reports it only if the cookie was held', async ({ line }) => {
    const jar = openJar();
    await jar.tell(response(WWW, line));
    expect(jar.changes).toEqual([]);
    expect(jar.refusals).toEqual([]);
    await jar.tell(response(WWW, 'a=1'), response(WWW, 'b=1'), response(WWW, line));
    expect(jar.changes.map((change) => [change.type, change.cookie.key, change.cookie.value])).toEqual([
      ['added', 'a', '1'],
      ['added', 'b', '1'],
      ['deleted', 'a', '1'],
    ]);
    expect(names(await jar.actor.cookies())).toEqual(['b=1']);
    await jar.actor.flush();
    expect(jar.store.records().map((record) => record.cookie.key)).toEqual(['b']);
  });

  it('deletes only the cookie with the same (domain, path, name)', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1; Path=/'), response(WWW, 'a=2; Path=/app'), response(WWW, 'a=x; Path=/app; Max-Age=0'));
    expect(names(await jar.actor.cookies())).toEqual(['a=1']);
  });
});
