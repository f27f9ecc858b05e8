import { describe, expect, it, vi } from 'vitest';
import { REQUEST_AFTER_DELETION_MS } from '../../src/actors/held-cookies.ts';
import { T0, WWW, names, openJar, request, response, useJarClock } from './jar-harness.ts';

useJarClock();

describe('JarActor, request side', () => {
  it('adds each pair it does not hold as a host-only cookie for the host, path /, no attributes', async () => {
    const jar = openJar();
    await jar.tell(request('https://www.example.com/deep/page?q=1', 'a=1; b=two=2;  c="3"'));
    expect(jar.changes.map((change) => [change.type, change.source, change.cookie])).toEqual(
      ['a', 'b', 'c'].map((key, index) => [
        'added',
        'request',
        {
          key,
          value: ['1', 'two=2', '"3"'][index],
          domain: 'www.example.com',
          path: '/',
          hostOnly: true,
          creation: new Date(T0).toISOString(),
          lastAccessed: new Date(T0).toISOString(),
        },
      ]),
    );
    await jar.actor.flush();
    expect(jar.store.records().map((record) => record.origin)).toEqual(['request', 'request', 'request']);
    expect(await jar.actor.cookieHeader('http://www.example.com/other')).toBe('a=1; b=two=2; c="3"');
    expect(await jar.actor.cookieHeader('https://api.example.com/')).toBe('');
  });

  it('never overwrites or strips a cookie held from a Set-Cookie', async () => {
    const jar = openJar();
    await jar.tell(
      response(WWW, 'sid=server; HttpOnly; Path=/; Max-Age=3600'),
      response(WWW, 'pref=dark; Domain=example.com; Path=/'),
      request(WWW, 'sid=client; pref=light'),
    );
    expect(jar.changes.map((change) => change.type)).toEqual(['added', 'added']);
    expect(await jar.actor.cookies()).toMatchObject([
      { key: 'sid', value: 'server', httpOnly: true },
      { key: 'pref', value: 'dark', domain: 'example.com' },
    ]);
  });

  it('does not take the key of a Set-Cookie cookie the URL cannot see (Secure, from http)', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'token=secret; Secure; Path=/'), request('http://www.example.com/', 'token=leaked'));
    expect(jar.changes.map((change) => change.type)).toEqual(['added']);
    expect(await jar.actor.cookieHeader(WWW)).toBe('token=secret');
  });

  it('updates a cookie it holds only from an earlier request with a later value', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'theme=light'), request(WWW, 'theme=light'), request(WWW, 'theme=dark'));
    expect(jar.changes.map((change) => [change.type, change.cookie.value, change.previous?.value])).toEqual([
      ['added', 'light', undefined],
      ['updated', 'dark', 'light'],
    ]);
  });

  it('lets a Set-Cookie take over a cookie first seen in a request, after which requests no longer change it', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'sid=1'), response(WWW, 'sid=2; Path=/; HttpOnly'), request(WWW, 'sid=3'));
    expect(jar.changes.map((change) => [change.type, change.source, change.cookie.value])).toEqual([
      ['added', 'request', '1'],
      ['updated', 'response', '2'],
    ]);
    await jar.actor.flush();
    expect(jar.store.records()).toMatchObject([{ origin: 'set-cookie', cookie: { key: 'sid', value: '2', httpOnly: true } }]);
  });

  it('uses the first new value when a header repeats a name', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'a=first; a=second'));
    expect(names(await jar.actor.cookies())).toEqual(['a=first']);
  });

  it('holds __Secure- and __Host- pairs as Secure, and refuses them from plain http', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, '__Host-id=1; __Secure-x=2'), request('http://plain.example.com/', '__Secure-y=3; ok=4'));
    expect(jar.changes.map((change) => [change.cookie.key, change.cookie.secure])).toEqual([
      ['__Host-id', true],
      ['__Secure-x', true],
      ['ok', undefined],
    ]);
    expect(jar.refusals.map((refusal) => [refusal.reason, refusal.header])).toEqual([['secure-from-insecure', '__Secure-y=***; ok=***']]);
  });

  it('refuses a pair it cannot parse and applies the others', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'a=1; novalue; =anonymous; b=2;'));
    expect(names(await jar.actor.cookies())).toEqual(['a=1', 'b=2']);
    expect(jar.refusals.map((refusal) => refusal.reason)).toEqual(['parse', 'parse']);
  });
});

describe('JarActor, a request-side cookie confirmed by a Set-Cookie', () => {
  it('changes nothing a reader sees, but writes its new origin', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'theme=dark'));
    await jar.actor.flush();
    await jar.tell(response(WWW, 'theme=dark; Path=/'));
    expect(jar.changes.map((change) => change.type)).toEqual(['added']);
    expect(jar.actor.stats().unchanged).toBe(1);
    await jar.actor.flush();
    expect(jar.store.records()).toMatchObject([{ origin: 'set-cookie', cookie: { key: 'theme', value: 'dark' } }]);
    // From now on it is a Set-Cookie cookie: a request no longer changes it.
    await jar.tell(request(WWW, 'theme=light'));
    expect(names(await jar.actor.cookies())).toEqual(['theme=dark']);
  });
});

describe('JarActor, a Cookie header repeated', () => {
  it('changes nothing again, until a cookie of the URL’s domains changes', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'a=1; b=2'), request(WWW, 'a=1; b=2'), request(WWW, 'a=1; b=2'));
    expect(jar.changes.map((change) => [change.type, change.cookie.key])).toEqual([
      ['added', 'a'],
      ['added', 'b'],
    ]);
    await jar.tell(response(WWW, 'a=gone; Path=/; Max-Age=0'));
    // Past the window in which a request carrying the deleted value is taken for one sent before the deletion.
    vi.advanceTimersByTime(REQUEST_AFTER_DELETION_MS + 1);
    await jar.tell(request(WWW, 'a=1; b=2'));
    expect(jar.changes.map((change) => [change.type, change.cookie.key])).toEqual([
      ['added', 'a'],
      ['added', 'b'],
      ['deleted', 'a'],
      ['added', 'a'],
    ]);
  });

  it('sees a cookie that expired since, though no message changed it', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'sid=x; Path=/; Max-Age=10'), request(WWW, 'sid=x'), request(WWW, 'sid=x'));
    expect(jar.changes.map((change) => change.type)).toEqual(['added']);
    vi.advanceTimersByTime(10_000 + REQUEST_AFTER_DELETION_MS + 1);
    await jar.tell(request(WWW, 'sid=x'));
    expect(jar.changes.map((change) => [change.type, change.source])).toEqual([
      ['added', 'response'],
      ['expired', 'expiry'],
      ['added', 'request'],
    ]);
  });

  it('is weighed again for another URL', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'p=1; Path=/app'), request('https://www.example.com/app/x', 'p=1'), request('https://www.example.com/app/x', 'p=1'));
    await jar.tell(request('https://www.example.com/other', 'p=1'), request('http://api.example.com/app/x', 'p=1'));
    expect(jar.changes.map((change) => [change.type, change.cookie.domain, change.cookie.path])).toEqual([
      ['added', 'www.example.com', '/app'],
      ['added', 'www.example.com', '/'],
      ['added', 'api.example.com', '/'],
    ]);
  });

  it('reports a pair it cannot parse every time', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'a=1; novalue'), request(WWW, 'a=1; novalue'));
    expect(jar.refusals.map((refusal) => refusal.reason)).toEqual(['parse', 'parse']);
  });
});

describe('JarActor, a Cookie header that differs from the URL’s last one', () => {
  it('weighs the pairs that changed, whatever their place', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'a=1; b=2; c=3'), request(WWW, 'a=1; b=2; c=4'), request(WWW, 'c=4; a=9; b=2; d=5'));
    expect(jar.changes.map((change) => [change.type, change.cookie.key, change.cookie.value])).toEqual([
      ['added', 'a', '1'],
      ['added', 'b', '2'],
      ['added', 'c', '3'],
      ['updated', 'c', '4'],
      ['updated', 'a', '9'],
      ['added', 'd', '5'],
    ]);
    expect(await jar.actor.cookieHeader(WWW)).toBe('a=9; b=2; c=4; d=5');
  });

  it('weighs a header that names a cookie twice whole, every time, as it always did', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'n=1'), request(WWW, 'n=1; n=2'), request(WWW, 'n=1; n=2'), request(WWW, 'n=1; n=2'));
    // Each time the first value the jar does not hold is the one used.
    expect(jar.changes.map((change) => change.cookie.value)).toEqual(['1', '2', '1', '2']);
  });

  it('weighs a header again over the other scheme', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, '__Secure-a=1; b=2'), request(WWW, '__Secure-a=1; b=2'), request('http://www.example.com/', '__Secure-a=1; b=2'));
    expect(jar.refusals.map((refusal) => [refusal.reason, refusal.url])).toEqual([['secure-from-insecure', 'http://www.example.com/']]);
    expect(jar.changes.map((change) => change.cookie.key)).toEqual(['__Secure-a', 'b']);
  });
});
