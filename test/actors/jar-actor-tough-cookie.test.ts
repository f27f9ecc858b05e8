/**
 * The jar actor stores cookies and answers URL queries itself, on tough-cookie's
 * Cookie model and rules (see cookie-writer.ts and cookie-query.ts). These
 * tests hold it to what tough-cookie's own CookieJar does with the same lines.
 */
import { CookieJar, MemoryCookieStore } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { toSerialized } from '../../src/store/cookie-records.ts';
import { openJar, response, T0, useJarClock } from './jar-harness.ts';

useJarClock();

/** Lines every check accepts, from the URLs that send them: host-only, domain, paths, flags, IPs, loopback, a public-suffix host. */
const SET_COOKIES: readonly (readonly [string, string])[] = [
  ['https://www.example.com/account/login', 'sid=1; Path=/; HttpOnly; Secure; SameSite=Lax'],
  ['https://www.example.com/account/login', 'pref=dark'],
  ['https://www.example.com/account/login', 'deep=1; Path=/account/settings'],
  ['https://login.example.com/', 'sso=1; Domain=example.com; Path=/'],
  ['https://login.example.com/', 'sso=2; Domain=.EXAMPLE.com; Path=/app'],
  ['http://www.example.com/app/page', 'plain=1; Path=/app'],
  ['https://www.example.com/', 'ext=1; Partitioned; Priority=High; SameSite=Strict'],
  ['https://a.b.example.com/x/y/z', 'nested=1'],
  ['http://127.0.0.1:8080/api/v1', 'ip=1'],
  ['http://127.0.0.1:8080/', 'ipdomain=1; Domain=127.0.0.1'],
  ['http://localhost:3000/', 'local=1; Secure'],
  // (A Domain equal to a public-suffix host is made host-only, where tough-cookie refuses the cookie: see the response tests.)
  ['https://github.io/', 'suffix=1'],
  ['https://www.example.com/%7Euser/page', 'tilde=1'],
];

const URLS = [
  'https://www.example.com/',
  'http://www.example.com/',
  'https://www.example.com/account/settings/x',
  'https://www.example.com/app/page',
  'http://www.example.com/app',
  'https://example.com/app/x',
  'https://login.example.com/',
  'https://a.b.example.com/x/y/z',
  'https://b.example.com/x',
  'http://127.0.0.1:8080/api/v1/x',
  'http://127.0.0.1:9999/',
  'http://localhost:3000/',
  'https://github.io/',
  'https://me.github.io/',
  'https://www.example.com/~user/page',
  'https://WWW.Example.COM:8443/account/settings',
];

function toughCookieJar(): CookieJar {
  // The configuration the jar actor mirrors (browser-policy.ts).
  const jar = new CookieJar(new MemoryCookieStore(), {
    rejectPublicSuffixes: true,
    allowSpecialUseDomain: true,
    allowSecureOnLocal: true,
    enforceSecureOriginOnStorage: true,
    prefixSecurity: 'strict',
    looseMode: false,
  });
  for (const [url, line] of SET_COOKIES) jar.setCookieSync(line, url, { http: true, now: new Date(T0) });
  return jar;
}

describe('JarActor, held to tough-cookie', () => {
  it('stores each Set-Cookie line as tough-cookie’s CookieJar stores it', async () => {
    const jar = openJar();
    await jar.tell(...SET_COOKIES.map(([url, line]) => response(url, line)));
    expect(jar.refusals).toEqual([]);
    const expected = (await toughCookieJar().serialize()).cookies.map((cookie) => {
      const { creationIndex: _index, ...json } = cookie as typeof cookie & { creationIndex?: number };
      return { ...json, key: json.key ?? '', value: json.value ?? '' };
    });
    const actual = await jar.actor.cookies();
    expect(actual).toEqual(expect.arrayContaining(expected));
    expect(actual).toHaveLength(expected.length);
  });

  it.each(URLS)('sends to %s the Cookie header tough-cookie would, in its order', async (url) => {
    const jar = openJar();
    await jar.tell(...SET_COOKIES.map(([from, line]) => response(from, line)));
    expect(await jar.actor.cookieHeader(url)).toBe(toughCookieJar().getCookieStringSync(url, { http: true }));
    const sent = toughCookieJar().getCookiesSync(url, { http: true, sort: true }).map(toSerialized);
    expect((await jar.actor.cookies({ url })).map((cookie) => `${cookie.key}=${cookie.value}`)).toEqual(sent.map((cookie) => `${cookie.key}=${cookie.value}`));
  });
});
