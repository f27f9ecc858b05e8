import { describe, expect, it } from 'vitest';
import { authorityOf, parseAbsoluteTarget, parseAuthority, urlOf } from '../../src/proxy/target.ts';

describe('parseAbsoluteTarget', () => {
  it.each([
    ['http://example.test/a/b?c=d', { scheme: 'http', host: 'example.test', port: 80, path: '/a/b?c=d' }],
    ['HTTP://Example.TEST:8080', { scheme: 'http', host: 'example.test', port: 8080, path: '/' }],
    ['https://example.test?q', { scheme: 'https', host: 'example.test', port: 443, path: '/?q' }],
    ['http://example.test/a/../%2e%2e/b#frag', { scheme: 'http', host: 'example.test', port: 80, path: '/a/../%2e%2e/b' }],
    ['http://[::1]:3000/x', { scheme: 'http', host: '::1', port: 3000, path: '/x' }],
    ['http://[0:0::1]/', { scheme: 'http', host: '::1', port: 80, path: '/' }],
    ['http://example.test./', { scheme: 'http', host: 'example.test', port: 80, path: '/' }],
  ] as const)('reads %s', (input, expected) => {
    expect(parseAbsoluteTarget(input)).toEqual(expected);
  });

  it.each([
    '/origin-form',
    'ftp://example.test/',
    'http://user:pass@example.test/',
    'http://example.test:0/',
    'http://example.test:70000/',
    'http://example.test:8x/',
    'http://:80/',
    'http://[::1/',
    'http://::1/',
    'http://exa mple.test/',
  ])('refuses %s', (input) => {
    expect(parseAbsoluteTarget(input)).toBeNull();
  });
});

describe('authorities and URLs', () => {
  it('reads CONNECT authorities with a default port', () => {
    expect(parseAuthority('example.test:443', 443)).toEqual({ host: 'example.test', port: 443 });
    expect(parseAuthority('[2001:db8::1]:8443', 443)).toEqual({ host: '2001:db8::1', port: 8443 });
    expect(parseAuthority('example.test', 443)).toEqual({ host: 'example.test', port: 443 });
    expect(parseAuthority('example.test:', 443)).toBeNull();
  });

  it('leaves default ports out and brackets IPv6', () => {
    expect(authorityOf({ scheme: 'https', host: 'a.test', port: 443 })).toBe('a.test');
    expect(authorityOf({ scheme: 'http', host: '::1', port: 8080 })).toBe('[::1]:8080');
    expect(urlOf({ scheme: 'http', host: 'a.test', port: 80, path: '/p?q' })).toBe('http://a.test/p?q');
  });
});
