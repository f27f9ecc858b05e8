import { Cookie } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import type { CookieCandidate } from '../../src/actors/cookie-candidate.ts';
import { parseSetCookie } from '../../src/actors/parse-set-cookie.ts';

const LINES = [
  'sid=abc',
  'sid=abc;',
  ' sid = abc ; ',
  'sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax',
  'sid=abc; path=/app; secure; httponly; samesite=strict',
  'a=1; Domain=.Example.COM; Path=/x',
  'a=1; Max-Age=60',
  'a=1; Max-Age=-1',
  'a=1; Max-Age=abc',
  'a=1; Expires=Wed, 01 Apr 2026 00:00:00 GMT',
  'a=1; Expires=not a date',
  'a=1; Max-Age=0; Expires=Wed, 01 Apr 2026 00:00:00 GMT',
  'a=1; Path=relative',
  'a=1; Path=',
  'a=1; Domain=',
  'a=1; SameSite=None; Secure',
  'a=1; SameSite=bogus',
  'a=1; Partitioned; Priority=High',
  'a=1;;; ;Secure',
  'a=1; Path=/one; Path=/two',
  'a=1\r\n; Secure',
  'no-equals; Secure',
  '=value; Secure',
  '',
];

/** The fields of a tough-cookie Cookie that a candidate carries. */
function candidateOf(cookie: Cookie | undefined): CookieCandidate | undefined {
  if (cookie === undefined) return undefined;
  const { key, value, domain, path, expires, maxAge, secure, httpOnly, sameSite, extensions } = cookie;
  return { key, value, domain, path, expires, maxAge, secure, httpOnly, sameSite, extensions };
}

describe('parseSetCookie', () => {
  it.each(LINES.map((line) => [JSON.stringify(line), line] as const))('reads %s field for field as Cookie.parse does', (_label, line) => {
    const expected = candidateOf(Cookie.parse(line, { loose: false }));
    // Twice: the second answer comes from the memo of attribute strings.
    expect(parseSetCookie(line)).toEqual(expected);
    expect(parseSetCookie(line)).toEqual(expected);
  });

  it('gives every line its own name and value while sharing parsed attributes', () => {
    const first = parseSetCookie('a=1; Path=/; Secure');
    const second = parseSetCookie('b=2; Path=/; Secure');
    expect([first?.key, first?.value, second?.key, second?.value]).toEqual(['a', '1', 'b', '2']);
    expect(second).toMatchObject({ path: '/', secure: true });
  });
});
