import { describe, expect, it } from 'vitest';
import { WWW, names, openJar, response, useJarClock, type Harness } from './jar-harness.ts';

useJarClock();

describe('JarActor, queries', () => {
  async function populated(): Promise<Harness> {
    const jar = openJar();
    await jar.tell(
      response(WWW, 'host=1; Path=/'),
      response(WWW, 'dom=1; Domain=example.com; Path=/'),
      response(WWW, 'sec=1; Secure; Path=/'),
      response(WWW, 'ho=1; HttpOnly; Path=/'),
      response(WWW, 'app=1; Path=/app'),
      response(WWW, 'deep=1; Path=/app/deep'),
      response('https://other.com/', 'other=1'),
    );
    return jar;
  }

  it.each([
    { url: 'https://www.example.com/', expected: ['host=1', 'dom=1', 'sec=1', 'ho=1'] },
    { url: 'http://www.example.com/', expected: ['host=1', 'dom=1', 'ho=1'] },
    { url: 'https://api.example.com/', expected: ['dom=1'] },
    { url: 'https://example.com/', expected: ['dom=1'] },
    { url: 'https://www.example.com/app', expected: ['app=1', 'host=1', 'dom=1', 'sec=1', 'ho=1'] },
    { url: 'https://www.example.com/app/deep/x?y=1#z', expected: ['deep=1', 'app=1', 'host=1', 'dom=1', 'sec=1', 'ho=1'] },
    { url: 'https://www.example.com/application', expected: ['host=1', 'dom=1', 'sec=1', 'ho=1'] },
    { url: 'https://WWW.EXAMPLE.COM:8443/', expected: ['host=1', 'dom=1', 'sec=1', 'ho=1'] },
    { url: 'https://notexample.com/', expected: [] },
  ])('by url $url: what a browser would send, HttpOnly included, Secure only to https', async ({ url, expected }) => {
    const jar = await populated();
    expect(names(await jar.actor.cookies({ url }))).toEqual(expected);
    expect(await jar.actor.cookieHeader(url)).toBe(expected.join('; '));
  });

  it.each([
    { domain: 'example.com', expected: ['host=1', 'dom=1', 'sec=1', 'ho=1', 'app=1', 'deep=1'] },
    { domain: '.EXAMPLE.com.', expected: ['host=1', 'dom=1', 'sec=1', 'ho=1', 'app=1', 'deep=1'] },
    { domain: 'www.example.com', expected: ['host=1', 'sec=1', 'ho=1', 'app=1', 'deep=1'] },
    { domain: 'other.com', expected: ['other=1'] },
    { domain: 'ample.com', expected: [] },
  ])('by domain $domain: every cookie whose domain is it or under it', async ({ domain, expected }) => {
    const jar = await populated();
    expect(names(await jar.actor.cookies({ domain }))).toEqual(expected);
  });

  it('without a filter: every cookie', async () => {
    const jar = await populated();
    expect(await jar.actor.cookies()).toHaveLength(7);
    expect(jar.actor.stats().cookies).toBe(7);
  });

  it.each(['ftp://example.com/', 'example.com', '/relative/path', '', 'https://', 'javascript:alert(1)'])(
    'rejects a url filter that is not absolute http(s): %j',
    async (url) => {
      const jar = openJar();
      await expect(jar.actor.cookies({ url })).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_URL' });
      await expect(jar.actor.cookieHeader(url)).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_URL' });
      await expect(jar.actor.setCookieFromApi('a=1', url)).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_URL' });
    },
  );

  it.each(['', 'http://example.com', 'exa mple.com', 'example.com/path'])('rejects a domain filter that is not a host: %j', async (domain) => {
    const jar = openJar();
    await expect(jar.actor.cookies({ domain })).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_DOMAIN' });
    await expect(jar.actor.deleteCookies({ domain })).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_DOMAIN' });
  });

  it('sees every event told before it, without waiting in between', async () => {
    const jar = openJar();
    for (let index = 0; index < 1000; index += 1) jar.actor.tell(response(WWW, `c${index}=${index}`));
    const header = jar.actor.cookieHeader(WWW);
    jar.actor.tell(response(WWW, 'late=1'));
    expect((await header).split('; ')).toHaveLength(1000);
    expect(await jar.actor.cookies()).toHaveLength(1001);
  });

  it('deleteCookies removes by domain (or all) and reports each with source api', async () => {
    const jar = await populated();
    jar.changes.length = 0;
    expect(await jar.actor.deleteCookies({ domain: 'www.example.com' })).toBe(5);
    expect(jar.changes.map((change) => [change.type, change.source, change.url, change.cookie.key])).toEqual(
      ['host', 'sec', 'ho', 'app', 'deep'].map((key) => ['deleted', 'api', null, key]),
    );
    expect(names(await jar.actor.cookies())).toEqual(['dom=1', 'other=1']);
    expect(await jar.actor.deleteCookies({ domain: 'nothing.example' })).toBe(0);
    expect(await jar.actor.deleteCookies()).toBe(2);
    await jar.actor.flush();
    expect(jar.store.records()).toEqual([]);
  });

  it('setCookieFromApi applies a Set-Cookie line with the same checks, as source api', async () => {
    const jar = openJar();
    await expect(jar.actor.setCookieFromApi('a=1; Path=/', WWW)).resolves.toMatchObject({ outcome: 'changed', change: { type: 'added', source: 'api', client: null } });
    await expect(jar.actor.setCookieFromApi('a=1; Path=/', WWW)).resolves.toEqual({ outcome: 'unchanged' });
    await expect(jar.actor.setCookieFromApi('b=1; Secure', 'http://www.example.com/')).resolves.toMatchObject({
      outcome: 'refused',
      refusal: { reason: 'secure-from-insecure', client: null },
    });
  });
});
