import { describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTE_VALUE_BYTES } from '../../src/actors/parse-set-cookie.ts';
import { names, openJar, request, response, useJarClock, WWW } from './jar-harness.ts';

useJarClock();

const PLAIN = 'http://www.example.com/';

describe('JarActor, leaving Secure cookies alone (RFC 6265bis storage model)', () => {
  it.each([
    { what: 'overwrite it (same domain, path and name)', secure: 'sid=secret; Secure; Path=/', plain: 'sid=plain; Path=/', masked: 'sid=***; Path=/' },
    { what: 'delete it', secure: 'sid=secret; Secure; Path=/', plain: 'sid=; Path=/; Max-Age=0', masked: 'sid=; Path=/; Max-Age=0' },
    { what: 'shadow it from a subdomain, on a deeper path', secure: 'sid=secret; Secure; Domain=example.com; Path=/', plain: 'sid=plain; Path=/app', masked: 'sid=***; Path=/app' },
    { what: 'shadow it from a parent domain', secure: 'sid=secret; Secure; Path=/', plain: 'sid=plain; Domain=example.com; Path=/', masked: 'sid=***; Domain=example.com; Path=/' },
  ])('a plain-http origin may not $what', async ({ secure, plain, masked }) => {
    const jar = openJar();
    await jar.tell(response(WWW, secure), response(PLAIN, plain));
    expect(jar.refusals.map((refusal) => [refusal.reason, refusal.header, refusal.url])).toEqual([['secure-from-insecure', masked, PLAIN]]);
    expect(jar.changes.map((change) => change.type)).toEqual(['added']);
    expect(names(await jar.actor.cookies())).toEqual(['sid=secret']);
  });

  it.each([
    { what: 'a cookie of another name', url: PLAIN, line: 'other=1; Path=/' },
    { what: 'a path the Secure cookie’s path does not cover (the rule is not symmetric)', url: PLAIN, line: 'sid=plain; Path=/' },
    { what: 'an unrelated domain', url: 'http://other.example.net/', line: 'sid=plain; Path=/' },
    { what: 'a Secure cookie from https replacing it with a non-Secure one', url: 'https://www.example.com/app', line: 'sid=plain; Path=/app' },
  ])('allows $what', async ({ url, line }) => {
    const jar = openJar();
    await jar.tell(response('https://www.example.com/app', 'sid=secret; Secure; Path=/app'), response(url, line));
    expect(jar.refusals).toEqual([]);
    expect(jar.changes).toHaveLength(2);
  });

  it('counts loopback over plain http as secure, as Chromium does', async () => {
    const jar = openJar();
    await jar.tell(response('http://localhost:3000/', 'sid=secret; Secure; Path=/'), response('http://localhost:3000/', 'sid=plain; Path=/'));
    expect(jar.refusals).toEqual([]);
    expect(names(await jar.actor.cookies())).toEqual(['sid=plain']);
  });

  it('refuses a request-side pair from plain http that would shadow a Secure cookie', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'token=secret; Secure; Domain=example.com; Path=/'), request(PLAIN, 'token=leaked; theme=dark'));
    expect(jar.refusals.map((refusal) => [refusal.reason, refusal.header])).toEqual([['secure-from-insecure', 'token=***; theme=***']]);
    expect(jar.changes.map((change) => [change.type, change.cookie.key])).toEqual([
      ['added', 'token'],
      ['added', 'theme'],
    ]);
    expect(await jar.actor.cookieHeader(WWW)).toBe('token=secret; theme=dark');
  });

  it('applies to setCookieFromApi with a plain-http URL', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'sid=secret; Secure; Path=/'));
    await expect(jar.actor.setCookieFromApi('sid=plain; Path=/', PLAIN)).resolves.toMatchObject({
      outcome: 'refused',
      refusal: { reason: 'secure-from-insecure' },
    });
  });
});

describe('JarActor, the 1024-byte limit on an attribute value (RFC 6265bis section 5.6)', () => {
  const long = (bytes: number): string => 'x'.repeat(bytes);
  const PAGE = 'https://www.example.com/dir/page';

  it.each([
    { what: 'a Path longer than the limit is ignored: the default path', line: `a=1; Path=/${long(MAX_ATTRIBUTE_VALUE_BYTES)}`, path: '/dir' },
    { what: 'an earlier valid Path stays', line: `a=1; Path=/ok; Path=/${long(MAX_ATTRIBUTE_VALUE_BYTES)}`, path: '/ok' },
    { what: 'a later valid Path wins', line: `a=1; Path=/${long(MAX_ATTRIBUTE_VALUE_BYTES)}; Path=/ok`, path: '/ok' },
    { what: 'a Path of exactly the limit is kept', line: `a=1; Path=/${long(MAX_ATTRIBUTE_VALUE_BYTES - 1)}`, path: `/${long(MAX_ATTRIBUTE_VALUE_BYTES - 1)}` },
    { what: 'the limit counts bytes, not characters', line: `a=1; Path=/${'é'.repeat(600)}`, path: '/dir' },
  ])('$what', async ({ line, path }) => {
    const jar = openJar();
    await jar.tell(response(PAGE, line));
    expect(jar.refusals).toEqual([]);
    expect(jar.changes[0]?.cookie.path).toBe(path);
  });

  it('ignores a Domain longer than the limit: the cookie is host-only, not refused', async () => {
    const jar = openJar();
    const line = `a=1; Domain=${long(MAX_ATTRIBUTE_VALUE_BYTES)}.example.com`;
    await jar.tell(response(PAGE, line));
    expect(jar.refusals).toEqual([]);
    expect(jar.changes[0]?.cookie).toMatchObject({ domain: 'www.example.com', hostOnly: true });
  });

  it('ignores a Max-Age or an extension longer than the limit, and keeps the cookie', async () => {
    const jar = openJar();
    await jar.tell(response(PAGE, `a=1; Path=/; Max-Age=${'9'.repeat(MAX_ATTRIBUTE_VALUE_BYTES + 1)}; Priority=${long(MAX_ATTRIBUTE_VALUE_BYTES + 1)}; HttpOnly`));
    expect(jar.refusals).toEqual([]);
    const cookie = jar.changes[0]?.cookie;
    expect(cookie).toMatchObject({ key: 'a', path: '/', httpOnly: true });
    expect(cookie?.expires).toBeUndefined();
    expect(cookie?.extensions).toBeUndefined();
  });
});
