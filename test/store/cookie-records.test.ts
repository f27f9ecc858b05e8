import { Cookie, CookieJar } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { toSerialized } from '../../src/store/cookie-records.ts';

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
