import { describe, expect, it } from 'vitest';
import { FieldKind, kindBit } from '../../../src/proxy/http1/field-kind.ts';
import type { HeadLimits } from '../../../src/proxy/http1/head-limits.ts';
import { REQUEST_HEAD_LIMITS } from '../../../src/proxy/http1/head-limits.ts';
import type { RequestHead, RequestHeadResult } from '../../../src/proxy/http1/parse-request-head.ts';
import { parseRequestHead } from '../../../src/proxy/http1/parse-request-head.ts';
import { head, latin1 } from './wire-reader.ts';

const parse = (text: string, limits?: HeadLimits): RequestHeadResult => parseRequestHead(latin1(text), limits);

function parsed(text: string, limits?: HeadLimits): RequestHead {
  const result = parse(text, limits);
  if (result.kind !== 'request') throw new Error(`expected a head, got ${JSON.stringify(result)}`);
  return result;
}

const pairs = (raw: readonly string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
};

describe('parseRequestHead: request lines', () => {
  it.each([
    ['GET http://a.test/ HTTP/1.1', 'GET', 'http://a.test/', 'absolute', '1.1'],
    ['GET / HTTP/1.1', 'GET', '/', 'origin', '1.1'],
    ['GET /a/b?c=d&e=%20f HTTP/1.1', 'GET', '/a/b?c=d&e=%20f', 'origin', '1.1'],
    ['GET /a/../%2e%2e/b HTTP/1.1', 'GET', '/a/../%2e%2e/b', 'origin', '1.1'],
    ['POST http://a.test:8080/form HTTP/1.0', 'POST', 'http://a.test:8080/form', 'absolute', '1.0'],
    ['CONNECT a.test:443 HTTP/1.1', 'CONNECT', 'a.test:443', 'authority', '1.1'],
    ['CONNECT [::1]:8443 HTTP/1.1', 'CONNECT', '[::1]:8443', 'authority', '1.1'],
    ['OPTIONS * HTTP/1.1', 'OPTIONS', '*', 'asterisk', '1.1'],
    ['OPTIONS http://a.test HTTP/1.1', 'OPTIONS', 'http://a.test', 'absolute', '1.1'],
    ['HEAD https://a.test/x HTTP/1.1', 'HEAD', 'https://a.test/x', 'absolute', '1.1'],
    ['PROPFIND /dav/ HTTP/1.1', 'PROPFIND', '/dav/', 'origin', '1.1'],
    ['M-SEARCH * HTTP/1.1', 'M-SEARCH', '*', null, null],
    ['get / HTTP/1.1', 'get', '/', 'origin', '1.1'],
    ["X!#$%&'*+-.^_`|~9 / HTTP/1.1", "X!#$%&'*+-.^_`|~9", '/', 'origin', '1.1'],
    ['GET /caf\u00e9 HTTP/1.1', 'GET', '/caf\u00e9', 'origin', '1.1'],
    ['GET /x HTTP/1.2', 'GET', '/x', 'origin', '1.1'],
    ['GET /x HTTP/1.9', 'GET', '/x', 'origin', '1.1'],
    ['GET /{}|^`\\"<> HTTP/1.1', 'GET', '/{}|^`\\"<>', 'origin', '1.1'],
    ['GET ftp://a.test/ HTTP/1.1', 'GET', 'ftp://a.test/', 'absolute', '1.1'],
    ['GET urn:x-a HTTP/1.1', 'GET', 'urn:x-a', 'absolute', '1.1'],
  ] as const)('%s', (line, method, target, form, version) => {
    const result = parse(head(line, 'Host: a.test'));
    if (form === null) {
      // The asterisk-form is for OPTIONS only (RFC 9112 §3.2.4).
      expect(result).toMatchObject({ kind: 'error', problem: 'bad-target', status: 400 });
      return;
    }
    expect(result).toMatchObject({ kind: 'request', method, target, form, version });
  });

  it.each([
    ['a space before the method', ' GET / HTTP/1.1', 'bad-method', 400],
    ['a tab in the method', 'G\tET / HTTP/1.1', 'bad-method', 400],
    ['a slash in the method', 'GE/T / HTTP/1.1', 'bad-method', 400],
    ['an empty method', ' / HTTP/1.1', 'bad-method', 400],
    ['NUL in the method', 'GE\u0000T / HTTP/1.1', 'bad-method', 400],
    ['a method with a non-ASCII byte', 'G\u00c9T / HTTP/1.1', 'bad-method', 400],
    ['two spaces after the method', 'GET  / HTTP/1.1', 'bad-target', 400],
    ['two spaces before the version', 'GET /  HTTP/1.1', 'bad-version', 400],
    ['a tab as separator', 'GET\t/ HTTP/1.1', 'bad-method', 400],
    ['a tab inside the target', 'GET /a\tb HTTP/1.1', 'bad-target', 400],
    ['NUL inside the target', 'GET /a\u0000b HTTP/1.1', 'bad-target', 400],
    ['DEL inside the target', 'GET /a\u007fb HTTP/1.1', 'bad-target', 400],
    ['a space inside the target', 'GET /a b HTTP/1.1', 'bad-version', 400],
    ['HTTP/0.9 (no version)', 'GET /', 'bad-version', 400],
    ['a lower-case version', 'GET / http/1.1', 'bad-version', 400],
    ['a version without minor', 'GET / HTTP/1', 'bad-version', 400],
    ['a two-digit minor', 'GET / HTTP/1.10', 'bad-version', 400],
    ['a version with a letter', 'GET / HTTP/1.x', 'bad-version', 400],
    ['text after the version', 'GET / HTTP/1.1 extra', 'bad-version', 400],
    ['a space after the version', 'GET / HTTP/1.1 ', 'bad-version', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0', 'unsupported-version', 505],
    ['HTTP/0.9 spelled out', 'GET / HTTP/0.9', 'unsupported-version', 505],
    ['HTTP/3.0', 'GET / HTTP/3.0', 'unsupported-version', 505],
    ['a CONNECT to a path', 'CONNECT /a HTTP/1.1', 'bad-target', 400],
    ['a CONNECT to a URL', 'CONNECT http://a.test/ HTTP/1.1', 'bad-target', 400],
    ['a CONNECT to *', 'CONNECT * HTTP/1.1', 'bad-target', 400],
    ['* for GET', 'GET * HTTP/1.1', 'bad-target', 400],
    ['a relative target', 'GET a/b HTTP/1.1', 'bad-target', 400],
    ['a scheme starting with a digit', 'GET 1http://a/ HTTP/1.1', 'bad-target', 400],
    ['a target of only a query', 'GET ?a HTTP/1.1', 'bad-target', 400],
  ] as const)('refuses %s', (_, line, problem, status) => {
    expect(parse(head(line, 'Host: a.test'))).toMatchObject({ kind: 'error', problem, status });
  });
});

describe('parseRequestHead: fields', () => {
  it('keeps names, values, case, order and repeats, without the whitespace around values', () => {
    const result = parsed(
      head('GET / HTTP/1.1', 'Host: a.test', 'X-Empty:', 'x-LOWER:v', 'X-Pad: \t padded \t ', 'Set-Cookie: a=1', 'X-Inner:  a  b  ', 'set-cookie: b=2'),
    );
    expect(pairs(result.fields.raw)).toEqual([
      ['Host', 'a.test'],
      ['X-Empty', ''],
      ['x-LOWER', 'v'],
      ['X-Pad', 'padded'],
      ['Set-Cookie', 'a=1'],
      ['X-Inner', 'a  b'],
      ['set-cookie', 'b=2'],
    ]);
  });

  it('passes obs-text (0x80–0xFF) through as latin1', () => {
    const result = parsed(head('GET / HTTP/1.1', 'Host: a.test', 'X-Name: caf\u00e9 \u00ff\u0080'));
    expect(result.fields.raw[3]).toBe('caf\u00e9 \u00ff\u0080');
  });

  it('knows the fields the proxy acts on, in any case', () => {
    const result = parsed(
      head(
        'GET / HTTP/1.1',
        'HOST: a.test',
        'content-length: 0',
        'Connection: close',
        'PROXY-CONNECTION: keep-alive',
        'Keep-Alive: 5',
        'te: trailers',
        'Trailer: X',
        'Upgrade: h2c',
        'Proxy-Authorization: Basic eA==',
        'Proxy-Authenticate: Basic',
        'Expect: 100-continue',
        'Cookie: a=1',
        'Set-Cookie: b=2',
        'X-Other: 1',
        'Content-Lengthy: 2',
        'Hosts: 3',
        'Cookie2: 4',
      ),
    );
    expect(result.fields.kinds).toEqual([
      FieldKind.Host,
      FieldKind.ContentLength,
      FieldKind.Connection,
      FieldKind.ProxyConnection,
      FieldKind.KeepAlive,
      FieldKind.Te,
      FieldKind.Trailer,
      FieldKind.Upgrade,
      FieldKind.ProxyAuthorization,
      FieldKind.ProxyAuthenticate,
      FieldKind.Expect,
      FieldKind.Cookie,
      FieldKind.SetCookie,
      FieldKind.Other,
      FieldKind.Other,
      FieldKind.Other,
      FieldKind.Other,
    ]);
  });

  it('marks the kinds seen and repeated', () => {
    const result = parsed(head('GET / HTTP/1.1', 'Host: a', 'Cookie: a=1', 'Content-Length: 1', 'cookie: b=2'));
    expect(result.fields.seen).toBe(kindBit(FieldKind.Host) | kindBit(FieldKind.Cookie) | kindBit(FieldKind.ContentLength));
    expect(result.fields.repeated).toBe(kindBit(FieldKind.Cookie));
  });

  it('gathers the Cookie values in order', () => {
    expect(parsed(head('GET / HTTP/1.1', 'Host: a', 'Cookie: a=1; b=2', 'X: y', 'cookie:  c=3 ')).cookies).toEqual(['a=1; b=2', 'c=3']);
    expect(parsed(head('GET / HTTP/1.1', 'Host: a')).cookies).toEqual([]);
  });

  it('records where each field line starts, and where the empty line does', () => {
    const text = head('GET / HTTP/1.1', 'Host: a', 'X: y');
    const result = parsed(text);
    expect(result.fields.lineStarts).toEqual([16, 25, 31]);
    expect(result.fields.text.slice(16, 25)).toBe('Host: a\r\n');
    expect(result.length).toBe(text.length);
  });

  it.each([
    ['obs-fold with a space', ['X: a', ' b'], 'obs-fold'],
    ['obs-fold with a tab', ['X: a', '\tb'], 'obs-fold'],
    ['a space before the colon', ['X : a'], 'space-before-colon'],
    ['a tab before the colon', ['X\t: a'], 'space-before-colon'],
    ['Transfer-Encoding with a space before the colon', ['Transfer-Encoding : chunked'], 'space-before-colon'],
    ['a line without a colon', ['X-No-Colon'], 'bad-field-name'],
    ['an empty name', [': a'], 'bad-field-name'],
    ['a name with a slash', ['X/Y: a'], 'bad-field-name'],
    ['a name with a non-ASCII byte', ['X\u00e9: a'], 'bad-field-name'],
    ['a name with NUL', ['X\u0000: a'], 'bad-field-name'],
    ['a name in quotes', ['"X": a'], 'bad-field-name'],
    ['NUL in a value', ['X: a\u0000b'], 'bad-field-value'],
    ['a NUL-only value', ['X: \u0000'], 'bad-field-value'],
    ['a vertical tab in a value', ['X: a\u000bb'], 'bad-field-value'],
    ['a form feed in a value', ['X: a\u000cb'], 'bad-field-value'],
    ['ESC in a value', ['X: a\u001bb'], 'bad-field-value'],
    ['DEL in a value', ['X: a\u007fb'], 'bad-field-value'],
    ['a bare CR in a value', ['X: a\rb'], 'bare-cr'],
    ['a bare CR at the end of a value', ['X: a\r', 'Y: b'], 'bare-cr'],
    ['a bare LF in a value', ['X: a\nb'], 'bare-lf'],
    ['a bare LF ending a line', ['X: a\nY: b'], 'bare-lf'],
    ['a bare LF ending a name', ['X\nY: b'], 'bare-lf'],
  ] as const)('refuses %s', (_, lines, problem) => {
    expect(parse(head('GET / HTTP/1.1', 'Host: a.test', ...lines))).toMatchObject({ kind: 'error', problem, status: 400 });
  });

  it.each([
    ['whitespace before the first field', 'GET / HTTP/1.1\r\n Host: a\r\n\r\n', 'space-after-start-line'],
    ['a tab before the first field', 'GET / HTTP/1.1\r\n\tHost: a\r\nHost: a\r\n\r\n', 'space-after-start-line'],
    ['a bare LF ending the request line', 'GET / HTTP/1.1\nHost: a\r\n\r\n', 'bare-lf'],
    ['bare LFs everywhere', 'GET / HTTP/1.1\nHost: a\n\n', 'bare-lf'],
    ['a bare CR ending the request line', 'GET / HTTP/1.1\rHost: a\r\n\r\n', 'bare-cr'],
    ['an empty line of a bare LF', 'GET / HTTP/1.1\r\nHost: a\r\n\n', 'bare-lf'],
    ['an empty line of a bare CR', 'GET / HTTP/1.1\r\nHost: a\r\n\rX', 'bare-cr'],
    ['a bare LF before the request line', '\nGET / HTTP/1.1\r\nHost: a\r\n\r\n', 'bare-lf'],
    ['a bare CR before the request line', '\rGET / HTTP/1.1\r\nHost: a\r\n\r\n', 'bare-cr'],
  ] as const)('refuses %s', (_, text, problem) => {
    expect(parse(text)).toMatchObject({ kind: 'error', problem, status: 400 });
  });
});

describe('parseRequestHead: Host (RFC 9112 §3.2)', () => {
  it.each([
    ['HTTP/1.1 without Host', head('GET / HTTP/1.1', 'X: y'), 'missing-host'],
    ['HTTP/1.1 absolute-form without Host', head('GET http://a.test/ HTTP/1.1'), 'missing-host'],
    ['two Host lines', head('GET / HTTP/1.1', 'Host: a', 'Host: a'), 'several-hosts'],
    ['two Host lines in HTTP/1.0', head('GET / HTTP/1.0', 'Host: a', 'host: b'), 'several-hosts'],
  ] as const)('refuses %s', (_, text, problem) => {
    expect(parse(text)).toMatchObject({ kind: 'error', problem, status: 400 });
  });

  it.each([
    ['HTTP/1.0 without Host', head('GET / HTTP/1.0')],
    ['a CONNECT without Host', head('CONNECT a.test:443 HTTP/1.1')],
    ['an empty Host', head('GET / HTTP/1.1', 'Host:')],
  ])('accepts %s', (_, text) => {
    expect(parse(text).kind).toBe('request');
  });
});

describe('parseRequestHead: boundaries', () => {
  it('says where the head ends when the buffer holds more', () => {
    const first = head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 5');
    const result = parsed(`${first}helloGET / HTTP/1.1\r\n`);
    expect(result.length).toBe(first.length);
    expect(result.fields.text).toBe(first);
  });

  it('skips empty lines before the request line and counts them in its length', () => {
    const text = `\r\n\r\n${head('GET / HTTP/1.1', 'Host: a')}`;
    const result = parsed(text);
    expect(result).toMatchObject({ method: 'GET', target: '/', length: text.length });
    expect(pairs(result.fields.raw)).toEqual([['Host', 'a']]);
  });

  it('copies everything out of the buffer: the caller may reuse it at once', () => {
    const bytes = latin1(head('GET /path HTTP/1.1', 'Host: a.test', 'Cookie: session=abcdefghijklmnop'));
    const result = parseRequestHead(bytes);
    bytes.fill(0x58);
    expect(result).toMatchObject({ kind: 'request', method: 'GET', target: '/path', cookies: ['session=abcdefghijklmnop'] });
  });

  it('is incomplete on every proper prefix of a head', () => {
    const text = head('POST http://a.test/x HTTP/1.1', 'Host: a.test', 'Content-Length: 0', 'X: y');
    for (let end = 0; end < text.length; end++) {
      expect(parse(text.slice(0, end)), `prefix of ${end} bytes`).toMatchObject({ kind: 'incomplete' });
    }
  });

  it('finds an error before the head is complete when the bytes already show it', () => {
    expect(parse('GET / HTTP/1.1\r\nX : y')).toMatchObject({ problem: 'space-before-colon' });
    expect(parse('GET / HTTP/1.1\nHost')).toMatchObject({ problem: 'bare-lf' });
    expect(parse('G(T / HTTP/1.1')).toMatchObject({ problem: 'bad-method' });
    expect(parse('GET / HTTP/2.0')).toMatchObject({ problem: 'unsupported-version' });
  });

  it('resumes where it stopped and reads the same head', () => {
    const text = head('GET http://a.test/x HTTP/1.1', 'Host: a.test', 'Cookie: a=1', 'Accept: */*');
    const whole = parsed(text);
    let resumeAt = 0;
    let result: RequestHeadResult = { kind: 'incomplete', resumeAt: 0 };
    for (let end = 1; end <= text.length; end++) {
      result = parseRequestHead(latin1(text.slice(0, end)), REQUEST_HEAD_LIMITS, resumeAt);
      if (result.kind !== 'incomplete') break;
      expect(result.resumeAt).toBeLessThanOrEqual(end);
      resumeAt = result.resumeAt;
    }
    expect(result).toEqual(whole);
  });

  it('finds a head whose end straddles the resume point', () => {
    const text = head('GET / HTTP/1.1', 'Host: a');
    for (let cut = text.length - 4; cut < text.length; cut++) {
      const first = parseRequestHead(latin1(text.slice(0, cut)));
      expect(first.kind).toBe('incomplete');
      if (first.kind !== 'incomplete') return;
      expect(parseRequestHead(latin1(text), REQUEST_HEAD_LIMITS, first.resumeAt)).toMatchObject({ kind: 'request', length: text.length });
    }
  });
});

describe('parseRequestHead: limits', () => {
  const small: HeadLimits = { maxStartLineBytes: 64, maxHeadBytes: 256, maxFields: 4 };

  it('accepts a request line exactly at the limit and refuses one byte more with 414', () => {
    const line = (length: number): string => `GET /${'a'.repeat(length - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
    expect(line(64)).toHaveLength(64);
    expect(parse(head(line(64), 'Host: a'), small).kind).toBe('request');
    expect(parse(head(line(65), 'Host: a'), small)).toMatchObject({ problem: 'start-line-too-long', status: 414 });
  });

  it('refuses a long request line with 414 before it ends', () => {
    expect(parse(`GET /${'a'.repeat(100)}`, small)).toMatchObject({ problem: 'start-line-too-long', status: 414 });
    expect(parse(`GET /${'a'.repeat(10_000)}`)).toMatchObject({ problem: 'start-line-too-long', status: 414 });
    expect(parse('GETGETGET'.repeat(20), small)).toMatchObject({ problem: 'start-line-too-long', status: 414 });
  });

  it('refuses with 414 a request line that ends beyond the limit in a head over the size limit', () => {
    expect(parse(head(`GET /${'a'.repeat(300)} HTTP/1.1`, 'Host: a'), small)).toMatchObject({ problem: 'start-line-too-long', status: 414 });
  });

  it('accepts a head exactly at the size limit and refuses one byte more with 431', () => {
    const sized = (length: number): string => {
      const base = head('GET / HTTP/1.1', 'Host: a', 'X: ');
      return head('GET / HTTP/1.1', 'Host: a', `X: ${'v'.repeat(length - base.length)}`);
    };
    expect(sized(256)).toHaveLength(256);
    expect(parse(sized(256), small).kind).toBe('request');
    expect(parse(sized(257), small)).toMatchObject({ problem: 'head-too-large', status: 431 });
  });

  it('refuses a head that outgrows the size limit before it ends', () => {
    expect(parse(`GET / HTTP/1.1\r\nX: ${'v'.repeat(300)}`, small)).toMatchObject({ problem: 'head-too-large', status: 431 });
    expect(parse(`GET / HTTP/1.1\r\n${'X: v\r\n'.repeat(60)}`, { ...small, maxFields: 1000 })).toMatchObject({ problem: 'head-too-large' });
  });

  it('refuses a very long field line with 431', () => {
    expect(parse(head('GET / HTTP/1.1', 'Host: a', `X-Long: ${'x'.repeat(20_000)}`))).toMatchObject({ problem: 'head-too-large', status: 431 });
    expect(parse(head('GET / HTTP/1.1', 'Host: a', `X-Long: ${'x'.repeat(16_000)}`)).kind).toBe('request');
  });

  it('counts empty lines before the request line in the head size', () => {
    expect(parse(`${'\r\n'.repeat(200)}GET / HTTP/1.1\r\nHost: a\r\n\r\n`, small)).toMatchObject({ problem: 'head-too-large' });
    expect(parse('\r\n'.repeat(20_000))).toMatchObject({ problem: 'head-too-large' });
  });

  it('accepts as many fields as the limit and refuses one more with 431', () => {
    const fields = (count: number): string[] => ['Host: a', ...Array.from({ length: count - 1 }, (_, i) => `X-${i}: v`)];
    expect(parse(head('GET / HTTP/1.1', ...fields(4)), small).kind).toBe('request');
    expect(parse(head('GET / HTTP/1.1', ...fields(5)), small)).toMatchObject({ problem: 'too-many-fields', status: 431 });
  });

  it('refuses 10,000 fields: by count with the default limits, by size with a large count limit', () => {
    const many = head('GET / HTTP/1.1', 'Host: a', ...Array.from({ length: 10_000 }, (_, i) => `X-${i}: v`));
    expect(parse(many)).toMatchObject({ problem: 'too-many-fields', status: 431 });
    expect(parse(many, { ...REQUEST_HEAD_LIMITS, maxFields: 100_000 })).toMatchObject({ problem: 'head-too-large', status: 431 });
    const accepted = parse(many, { maxStartLineBytes: 100, maxHeadBytes: 1 << 20, maxFields: 10_001 });
    expect(accepted.kind === 'request' ? accepted.fields.kinds.length : 0).toBe(10_001);
  });

  it('reads a head whose fields need more than the default scratch space', () => {
    const fields = Array.from({ length: 600 }, (_, i) => `X-${i}: value-${i}`);
    const result = parse(head('GET / HTTP/1.1', 'Host: a', ...fields), { maxStartLineBytes: 100, maxHeadBytes: 1 << 20, maxFields: 601 });
    expect(result.kind === 'request' ? result.fields.raw.slice(-2) : null).toEqual(['X-599', 'value-599']);
  });
});
