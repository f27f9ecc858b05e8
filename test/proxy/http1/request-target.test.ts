import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectTargetOf, requestTargetOf, targetFormOf } from '../../../src/proxy/http1/request-target.ts';
import { parseAbsoluteTarget } from '../../../src/proxy/target.ts';

describe('targetFormOf (RFC 9112 §3.2)', () => {
  it.each([
    ['GET', '/', 'origin'],
    ['GET', '/a?b', 'origin'],
    ['GET', '//a', 'origin'],
    ['GET', 'http://a.test/', 'absolute'],
    ['GET', 'HTTPS://a.test', 'absolute'],
    ['GET', 'web+app.x-y:z', 'absolute'],
    ['CONNECT', 'a.test:443', 'authority'],
    ['CONNECT', '[::1]:443', 'authority'],
    ['CONNECT', 'a.test', 'authority'],
    ['OPTIONS', '*', 'asterisk'],
    ['OPTIONS', '/', 'origin'],
    ['GET', '*', null],
    ['CONNECT', '/', null],
    ['CONNECT', '*', null],
    ['CONNECT', 'http://a.test/', null],
    ['GET', 'a.test/x', null],
    ['GET', '?q', null],
    ['GET', ':80', null],
    ['GET', '1a:b', null],
    ['GET', 'http', null],
    // Methods are case-sensitive: "connect" is not CONNECT, and "a.test:443" parses as a URI with scheme "a.test".
    ['connect', 'a.test:443', 'absolute'],
  ] as const)('%s %s', (method, target, form) => {
    expect(targetFormOf(method, target)).toBe(form);
  });
});

describe('requestTargetOf', () => {
  const tunnel = { scheme: 'https', host: 'a.test', port: 8443 } as const;

  it('reads an absolute-form target as target.ts does', () => {
    expect(requestTargetOf('absolute', 'HTTP://A.test:8080/p?q#f', null)).toEqual({ scheme: 'http', host: 'a.test', port: 8080, path: '/p?q' });
    expect(requestTargetOf('absolute', 'http://user@a.test/', null)).toBeNull();
    expect(requestTargetOf('absolute', 'ftp://a.test/', null)).toBeNull();
  });

  it('sends origin-form and asterisk-form requests to the tunnel origin, and nowhere outside one', () => {
    expect(requestTargetOf('origin', '/a/../b?c', tunnel)).toEqual({ scheme: 'https', host: 'a.test', port: 8443, path: '/a/../b?c' });
    expect(requestTargetOf('asterisk', '*', tunnel)).toEqual({ scheme: 'https', host: 'a.test', port: 8443, path: '*' });
    expect(requestTargetOf('origin', '/', null)).toBeNull();
    expect(requestTargetOf('authority', 'a.test:443', tunnel)).toBeNull();
  });
});

describe('connectTargetOf (RFC 9112 §3.2.3)', () => {
  it.each([
    ['a.test:443', { host: 'a.test', port: 443 }],
    ['A.Test.:8443', { host: 'a.test', port: 8443 }],
    ['[2001:db8::1]:443', { host: '2001:db8::1', port: 443 }],
    ['127.0.0.1:22', { host: '127.0.0.1', port: 22 }],
    ['a.test', null],
    ['a.test:', null],
    ['a.test:0', null],
    ['a.test:65536', null],
    ['user@a.test:443', null],
    ['[::1]', null],
    [':443', null],
  ] as const)('%s', (target, expected) => {
    expect(connectTargetOf(target)).toEqual(expected);
  });
});

describe('requestTargetOf reads absolute-form targets exactly as parseAbsoluteTarget does', () => {
  it.each([
    'http://a.test/',
    'http://a.test',
    'HTTP://A.TEST:8080/P?Q',
    'https://a.test?q#f',
    'http://a.test:0080/',
    'http://a.test:65535/',
    'http://a.test:65536/',
    'http://a.test:0/',
    'http://a.test:/',
    'http://a.test:123456/',
    'http://a.test./',
    'http://./',
    'http://a..test/',
    'http://-a-.test/',
    'http://a_b.test/',
    'http://caf\u00e9.test/',
    'http://CAF\u00c9.test/',
    'http://a.test%2f/',
    'http://user@a.test/',
    'http://[::1]:80/',
    'http://a.test:80:80/',
    'http://a.test#/x',
    'http://a.test?x#y',
    'http:/a.test/',
    'httpx://a.test/',
    'http://',
    'https://',
    'http://a.test\\x',
    'http://a.test;x/',
    'http://1.2.3.4:5/',
  ])('%s', (target) => {
    expect(requestTargetOf('absolute', target, null)).toEqual(parseAbsoluteTarget(target));
  });

  it('for any target made of the bytes that matter', () => {
    const piece = fc.constantFrom('http://', 'HTTPS://', 'https://', 'a', 'Z', '0', '9', '.', '-', ':', '/', '?', '#', '@', '[', ']', '::1', ' ', '\u00e9', '\u00c9', '%2F', '80', '65536', '_');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const target = pieces.join('');
        expect(requestTargetOf('absolute', target, null)).toEqual(parseAbsoluteTarget(target));
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.constantFrom('http://', 'https://', 'HtTp://'), fc.string(), (scheme, rest) => {
        const target = scheme + rest;
        expect(requestTargetOf('absolute', target, null)).toEqual(parseAbsoluteTarget(target));
      }),
      { numRuns: 5_000 },
    );
  });
});
