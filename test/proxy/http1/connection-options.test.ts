import { describe, expect, it } from 'vitest';
import type { ConnectionOptions } from '../../../src/proxy/http1/connection-options.ts';
import { connectionOptionsOf, isPersistent } from '../../../src/proxy/http1/connection-options.ts';
import { parseRequestHead } from '../../../src/proxy/http1/parse-request-head.ts';
import { head, latin1 } from './wire-reader.ts';

function options(...fields: string[]): ConnectionOptions {
  const parsed = parseRequestHead(latin1(head('GET / HTTP/1.1', 'Host: a', ...fields)));
  if (parsed.kind !== 'request') throw new Error('head does not parse');
  return connectionOptionsOf(parsed.fields);
}

describe('connectionOptionsOf', () => {
  it.each([
    ['no Connection', [], { close: false, keepAlive: false, upgrade: false, named: [] }],
    ['close', ['Connection: close'], { close: true, keepAlive: false, upgrade: false, named: [] }],
    ['Close in capitals', ['Connection: CLOSE'], { close: true, keepAlive: false, upgrade: false, named: [] }],
    ['keep-alive', ['Connection: keep-alive'], { close: false, keepAlive: true, upgrade: false, named: [] }],
    ['Keep-Alive', ['connection: Keep-Alive'], { close: false, keepAlive: true, upgrade: false, named: [] }],
    ['Upgrade', ['Connection: Upgrade'], { close: false, keepAlive: false, upgrade: true, named: [] }],
    ['a list', ['Connection: keep-alive, Upgrade'], { close: false, keepAlive: true, upgrade: true, named: [] }],
    ['field names, lower-cased', ['Connection: X-Foo, TE, close'], { close: true, keepAlive: false, upgrade: false, named: ['x-foo', 'te'] }],
    ['several lines', ['Connection: X-A', 'Connection: x-b'], { close: false, keepAlive: false, upgrade: false, named: ['x-a', 'x-b'] }],
    ['empty elements and OWS', ['Connection: ,\t close ,, ,'], { close: true, keepAlive: false, upgrade: false, named: [] }],
    ['an empty value', ['Connection:'], { close: false, keepAlive: false, upgrade: false, named: [] }],
    ['a look-alike', ['Connection: closed, keep-alives'], { close: false, keepAlive: false, upgrade: false, named: ['closed', 'keep-alives'] }],
  ] as const)('%s', (_, fields, expected) => {
    expect(options(...fields)).toEqual(expected);
  });
});

describe('isPersistent (RFC 9112 §9.3)', () => {
  it.each([
    ['1.1', [], true],
    ['1.1', ['Connection: close'], false],
    ['1.1', ['Connection: keep-alive, close'], false],
    ['1.1', ['Connection: keep-alive'], true],
    ['1.0', [], false],
    ['1.0', ['Connection: keep-alive'], true],
    ['1.0', ['Connection: keep-alive', 'Connection: close'], false],
  ] as const)('HTTP/%s with %o', (version, fields, expected) => {
    expect(isPersistent(version, options(...fields))).toBe(expected);
  });
});
