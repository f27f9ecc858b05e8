import { Cookie, CookieJar } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { loadRecords, toSerialized } from '../../src/store/cookie-records.ts';
import type { StoredCookie } from '../../src/store/jar-store.ts';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

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

describe('loadRecords', () => {
  it.each([
    ['an Expires it cannot read', { expires: 'not a date' }],
    ['a creation time it cannot read', { creation: 'yesterday-ish' }],
    ['no domain', { domain: undefined }],
  ])('puts a record with %s among the unreadable, never the live (another program may have written it)', (_name, change) => {
    const cookie = { key: 'sid', value: 'v', domain: 'example.com', path: '/', ...change };
    const record = { origin: 'set-cookie', cookie } as unknown as StoredCookie;
    const loaded = loadRecords([record, { origin: 'set-cookie', cookie: { key: 'ok', value: '1', domain: 'example.com', path: '/' } }], Date.now());
    expect(loaded.unreadable).toEqual([record]);
    expect(loaded.live.map((entry) => entry.cookie.key)).toEqual(['ok']);
  });
});
