import { Cookie } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { SecureCookies } from '../../src/actors/secure-cookies.ts';

const entry = (key: string, domain: string): { readonly cookie: Cookie } => ({ cookie: new Cookie({ key, value: '1', domain, path: '/', secure: true }) });

describe('SecureCookies', () => {
  const all = [
    entry('sid', 'example.com'),
    entry('sid', 'www.example.com'),
    entry('sid', 'a.b.example.com'),
    entry('sid', 'other.net'),
    entry('sid', 'localhost'),
    entry('sid', 'app.localhost'),
    entry('sid', 'io'),
    entry('token', 'example.com'),
  ];
  const secure = new SecureCookies<{ readonly cookie: Cookie }>();
  for (const item of all) secure.add(item);
  const domains = (name: string, domain: string): string[] => [...secure.related(name, domain)].map((item) => item.cookie.domain ?? '').sort();

  it.each([
    { domain: 'www.example.com', expected: ['a.b.example.com', 'example.com', 'www.example.com'] },
    { domain: 'example.com', expected: ['a.b.example.com', 'example.com', 'www.example.com'] },
    { domain: 'me.github.io', expected: ['io'] },
    { domain: 'x.localhost', expected: ['localhost'] },
    { domain: 'localhost', expected: ['a.b.example.com', 'app.localhost', 'example.com', 'io', 'localhost', 'other.net', 'www.example.com'] },
    { domain: 'other.net', expected: ['other.net'] },
  ])('finds every Secure cookie of a name that may be related to $domain', ({ domain, expected }) => {
    expect(domains('sid', domain)).toEqual(expected);
  });

  it('forgets what is deleted, and nothing of other names', () => {
    const local = new SecureCookies<{ readonly cookie: Cookie }>();
    const [first, second] = [entry('sid', 'example.com'), entry('sid', 'www.example.com')];
    local.add(first);
    local.add(second);
    local.delete(first);
    expect([...local.related('sid', 'example.com')]).toEqual([second]);
    local.delete(second);
    expect([...local.related('sid', 'example.com')]).toEqual([]);
    expect([...local.related('token', 'example.com')]).toEqual([]);
  });
});
