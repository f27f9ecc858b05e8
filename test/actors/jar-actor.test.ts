import { Cookie, CookieJar } from 'tough-cookie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_COOKIE_AGE_MS } from '../../src/actors/browser-policy.ts';
import type { CookieChange, CookieRefusal, RefusalReason, SerializedCookie } from '../../src/actors/cookie-change.ts';
import { JarActor, type JarActorOptions } from '../../src/actors/jar-actor.ts';
import { Mailbox } from '../../src/actors/mailbox.ts';
import type { CookieEvent } from '../../src/cookie-event.ts';
import { JarsyncError } from '../../src/errors.ts';
import type { JarCommit, JarStore, StoredCookie } from '../../src/store/jar-store.ts';
import { MemoryJarStore } from '../../src/store/memory-jar-store.ts';
import { toSerialized } from '../../src/store/read-jar.ts';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const CLIENT = '127.0.0.1:50000';
const WWW = 'https://www.example.com/';

function event(source: CookieEvent['source'], url: string, header: string, at = Date.now()): CookieEvent {
  const parsed = new URL(url);
  return {
    source,
    scheme: parsed.protocol === 'https:' ? 'https' : 'http',
    host: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    url,
    header,
    client: CLIENT,
    at,
  };
}

const response = (url: string, header: string, at?: number): CookieEvent => event('response', url, header, at);
const request = (url: string, header: string, at?: number): CookieEvent => event('request', url, header, at);

interface Harness {
  readonly actor: JarActor;
  readonly store: MemoryJarStore;
  readonly changes: CookieChange[];
  readonly refusals: CookieRefusal[];
  readonly storeErrors: JarsyncError[];
  /** Tells every event and waits until the actor has processed them. */
  tell(...events: CookieEvent[]): Promise<void>;
}

const opened: JarActor[] = [];

function openJar(options: Partial<JarActorOptions> & { readonly records?: readonly StoredCookie[] } = {}): Harness {
  const changes: CookieChange[] = [];
  const refusals: CookieRefusal[] = [];
  const storeErrors: JarsyncError[] = [];
  const store = new MemoryJarStore({ records: options.records ?? [] });
  const actor = JarActor.open({
    store,
    onChange: (change) => changes.push(change),
    onRefused: (refusal) => refusals.push(refusal),
    onStoreError: (error) => storeErrors.push(error),
    ...options,
  });
  opened.push(actor);
  return {
    actor,
    store,
    changes,
    refusals,
    storeErrors,
    async tell(...events) {
      for (const item of events) expect(actor.tell(item)).toBe(true);
      // A query goes through the mailbox behind the events: when it answers, they are applied.
      await actor.cookies();
    },
  };
}

/** Lets promise chains started by a (fake) timer run to their end. */
const nextMacrotask = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

const names = (cookies: readonly SerializedCookie[]): string[] => cookies.map((cookie) => `${cookie.key}=${cookie.value}`);

beforeEach(() => {
  // setImmediate stays real: the mailbox runs its slices on it.
  vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(async () => {
  // Tests that close an actor themselves check how it went.
  for (const actor of opened.splice(0)) if (actor.status === 'running') await actor.close();
  vi.useRealTimers();
});

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
    expect(jar.refusals).toEqual([{ reason, detail: expect.any(String) as string, header: line, url, client: CLIENT, at: T0 }]);
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
    expect(jar.refusals.map((refusal) => [refusal.reason, refusal.header])).toEqual([['secure-from-insecure', '__Secure-y=3; ok=4']]);
  });

  it('refuses a pair it cannot parse and applies the others', async () => {
    const jar = openJar();
    await jar.tell(request(WWW, 'a=1; novalue; =anonymous; b=2;'));
    expect(names(await jar.actor.cookies())).toEqual(['a=1', 'b=2']);
    expect(jar.refusals.map((refusal) => refusal.reason)).toEqual(['parse', 'parse']);
  });
});

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

describe('JarActor, mailbox and lifecycle', () => {
  it('refuses events beyond the mailbox capacity, counts them, and applies the queued ones', async () => {
    const jar = openJar({ mailboxCapacity: 3 });
    const accepted = [1, 2, 3, 4, 5].map((index) => jar.actor.tell(response(WWW, `c${index}=1`)));
    expect(accepted).toEqual([true, true, true, false, false]);
    // A query needs a place in the mailbox too.
    await expect(jar.actor.cookies()).rejects.toMatchObject({ code: 'JARSYNC_ERR_MAILBOX_FULL' });
    expect(jar.actor.stats().mailbox).toEqual({ size: 3, capacity: 3, refused: 3, refusedClosed: 0 });
    await jar.actor.flush();
    expect(names(await jar.actor.cookies())).toEqual(['c1=1', 'c2=1', 'c3=1']);
    expect(jar.actor.stats().mailbox.size).toBe(0);
  });

  it('commits changes within the flush interval, in one batch, without flush()', async () => {
    const jar = openJar({ flushIntervalMs: 50 });
    await jar.tell(response(WWW, 'a=1'), response(WWW, 'b=1'));
    expect(jar.store.commits).toBe(0);
    expect(jar.actor.stats().store.pendingWrites).toBe(2);
    vi.advanceTimersByTime(49);
    await nextMacrotask();
    expect(jar.store.commits).toBe(0);
    vi.advanceTimersByTime(1);
    await nextMacrotask();
    expect(jar.store.commits).toBe(1);
    expect(jar.store.records().map((record) => record.cookie.key)).toEqual(['a', 'b']);
    expect(jar.actor.stats().store).toMatchObject({ pendingWrites: 0, commits: 1, lastCommitAt: T0 + 50 });
  });

  it('keeps the jar and the pending writes when the store fails, reports it, and retries', async () => {
    const inner = new MemoryJarStore();
    let failures = 1;
    const flaky: JarStore = {
      load: () => inner.load(),
      close: () => inner.close(),
      commit: (batch: JarCommit) => {
        if (failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('disk full'));
        }
        return inner.commit(batch);
      },
    };
    const jar = openJar({ store: flaky });
    await jar.tell(response(WWW, 'a=1'));
    await expect(jar.actor.flush()).rejects.toMatchObject({ code: 'JARSYNC_ERR_STORE' });
    expect(jar.storeErrors.map((error) => error.code)).toEqual(['JARSYNC_ERR_STORE']);
    expect(jar.storeErrors[0]?.message).toContain('disk full');
    expect(jar.actor.stats().store).toMatchObject({ errors: 1, pendingWrites: 1, commits: 0, lastError: expect.stringContaining('disk full') as string });
    expect(names(await jar.actor.cookies())).toEqual(['a=1']);
    vi.advanceTimersByTime(50); // the retry
    await nextMacrotask();
    expect(inner.records().map((record) => record.cookie.value)).toEqual(['1']);
    expect(jar.actor.stats().store).toMatchObject({ errors: 1, pendingWrites: 0, commits: 1 });
  });

  it('close() processes what is queued, commits it, closes the store and refuses what comes after', async () => {
    const jar = openJar();
    for (let index = 0; index < 10; index += 1) jar.actor.tell(response(WWW, `c${index}=1`));
    const closing = jar.actor.close();
    expect(jar.actor.status).toBe('closing');
    expect(jar.actor.tell(response(WWW, 'late=1'))).toBe(false);
    await expect(jar.actor.cookies()).rejects.toMatchObject({ code: 'JARSYNC_ERR_NOT_RUNNING' });
    await closing;
    expect(jar.actor.status).toBe('closed');
    expect(jar.store.closed).toBe(true);
    expect(jar.store.records()).toHaveLength(10);
    expect(jar.actor.stats().mailbox.refusedClosed).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(jar.actor.close()).toBe(closing);
  });

  it('bounds close(): a commit that never finishes is given up after closeTimeoutMs', async () => {
    let closed = false;
    const hanging: JarStore = {
      load: () => Promise.resolve([]),
      commit: () => new Promise<void>(() => undefined),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    const jar = openJar({ store: hanging, closeTimeoutMs: 1000 });
    await jar.tell(response(WWW, 'a=1'));
    const closing = jar.actor.close();
    const settled = closing.then(
      () => 'resolved',
      (error: unknown) => (error instanceof JarsyncError ? error.code : 'other'),
    );
    await nextMacrotask();
    expect(jar.actor.status).toBe('closing');
    vi.advanceTimersByTime(1000);
    expect(await settled).toBe('JARSYNC_ERR_STORE');
    expect(jar.actor.status).toBe('closed');
    expect(closed).toBe(true);
  });

  it('runs with an empty jar, and says so, when the store cannot be loaded', async () => {
    const inner = new MemoryJarStore();
    const unreadable: JarStore = {
      load: () => Promise.reject(new Error('permission denied')),
      commit: (batch) => inner.commit(batch),
      close: () => inner.close(),
    };
    const jar = openJar({ store: unreadable });
    await jar.tell(response(WWW, 'a=1'));
    expect(jar.storeErrors.map((error) => [error.code, error.message.includes('permission denied')])).toEqual([['JARSYNC_ERR_STORE', true]]);
    expect(jar.actor.stats().store.errors).toBe(1);
    await jar.actor.flush();
    expect(inner.records().map((record) => record.cookie.key)).toEqual(['a']);
  });

  it('loads the stored cookies at open, with their origin, before it processes anything', async () => {
    const records: StoredCookie[] = [
      { origin: 'request', cookie: { key: 'seen', value: 'old', domain: 'www.example.com', path: '/', hostOnly: true, creation: new Date(T0 - 1000).toISOString() } },
      { origin: 'set-cookie', cookie: { key: 'sid', value: 'x', domain: 'www.example.com', path: '/', hostOnly: true, httpOnly: true, creation: new Date(T0 - 2000).toISOString() } },
    ];
    const jar = openJar({ records });
    jar.actor.tell(request(WWW, 'seen=new; sid=y'));
    expect(names(await jar.actor.cookies({ url: WWW }))).toEqual(['sid=x', 'seen=new']);
    expect(jar.changes).toMatchObject([{ type: 'updated', cookie: { key: 'seen', value: 'new' }, previous: { value: 'old' } }]);
  });

  it('rejects options out of range with JARSYNC_ERR_BAD_OPTION', () => {
    for (const options of [{ mailboxCapacity: 0 }, { sliceSize: 1.5 }, { flushIntervalMs: -1 }, { closeTimeoutMs: Number.NaN }]) {
      expect(() => JarActor.open({ store: new MemoryJarStore(), ...options })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }) as Error);
    }
  });
});

describe('toSerialized, the JSON form changes carry', () => {
  it.each([
    'a=1',
    'empty=',
    'a=1; Max-Age=60',
    'a=1; Expires=Wed, 01 Apr 2026 00:00:00 GMT',
    'a=1; Domain=example.com; Path=/x; Secure; HttpOnly; SameSite=Strict; Partitioned; Priority=High',
  ])('is what Cookie.toJSON writes, with key and value always present: %s', (line) => {
    const cookie = new CookieJar().setCookieSync(line, 'https://www.example.com/a/b', { now: new Date(T0) });
    if (cookie === undefined) throw new Error(`tough-cookie did not store ${line}`);
    expect(toSerialized(cookie)).toEqual({ ...cookie.toJSON(), key: cookie.key, value: cookie.value });
    expect(Cookie.fromJSON(toSerialized(cookie))?.toJSON()).toEqual(cookie.toJSON());
  });
});

describe('Mailbox', () => {
  it('processes in order, at most sliceSize messages per scheduled slice', () => {
    const processed: number[] = [];
    const slices: (() => void)[] = [];
    const mailbox = new Mailbox<number>({ sliceSize: 2, process: (message) => processed.push(message), schedule: (callback) => slices.push(callback) });
    for (let index = 1; index <= 5; index += 1) mailbox.post(index);
    expect(slices).toHaveLength(0); // not started
    mailbox.start();
    const afterEachSlice: number[][] = [];
    while (slices.length > 0) {
      slices.shift()?.();
      afterEachSlice.push([...processed]);
    }
    expect(afterEachSlice).toEqual([[1, 2], [1, 2, 3, 4], [1, 2, 3, 4, 5]]);
  });

  it('goes on after a message whose processing throws, and hands the error to onError', () => {
    const errors: unknown[] = [];
    const processed: number[] = [];
    const slices: (() => void)[] = [];
    const mailbox = new Mailbox<number>({
      process: (message) => {
        if (message === 2) throw new Error('boom');
        processed.push(message);
      },
      schedule: (callback) => slices.push(callback),
      onError: (error) => errors.push(error),
    });
    mailbox.start();
    [1, 2, 3].forEach((message) => mailbox.post(message));
    slices.shift()?.();
    expect(processed).toEqual([1, 3]);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('holds at most capacity messages, wrapping around its buffer', async () => {
    const processed: number[] = [];
    const mailbox = new Mailbox<number>({ capacity: 20, sliceSize: 7, process: (message) => processed.push(message) });
    mailbox.start();
    let next = 0;
    for (let round = 0; round < 5; round += 1) {
      while (mailbox.post(next)) next += 1;
      expect(mailbox.size).toBe(20);
      await mailbox.drained();
    }
    expect(processed).toEqual(Array.from({ length: next }, (_, index) => index));
    expect(mailbox.refused).toBe(5);
  });
});
