import { describe, expect, it } from 'vitest';
import { FieldKind } from '../../../src/proxy/http1/field-kind.ts';
import type { HeadLimits } from '../../../src/proxy/http1/head-limits.ts';
import { RESPONSE_HEAD_LIMITS } from '../../../src/proxy/http1/head-limits.ts';
import type { ResponseHeadResult } from '../../../src/proxy/http1/parse-response-head.ts';
import { parseResponseHead } from '../../../src/proxy/http1/parse-response-head.ts';
import { head, latin1 } from './wire-reader.ts';

const parse = (text: string, limits?: HeadLimits): ResponseHeadResult => parseResponseHead(latin1(text), limits);

describe('parseResponseHead: status lines', () => {
  it.each([
    ['HTTP/1.1 200 OK', '1.1', 200, 'OK'],
    ['HTTP/1.0 200 OK', '1.0', 200, 'OK'],
    ['HTTP/1.1 404 Not Found', '1.1', 404, 'Not Found'],
    ['HTTP/1.1 204 ', '1.1', 204, ''],
    ['HTTP/1.1 204', '1.1', 204, ''],
    ['HTTP/1.1 101 Switching Protocols', '1.1', 101, 'Switching Protocols'],
    ['HTTP/1.1 100 Continue', '1.1', 100, 'Continue'],
    ['HTTP/1.1 103 Early Hints', '1.1', 103, 'Early Hints'],
    ['HTTP/1.1 999 Request denied', '1.1', 999, 'Request denied'],
    ['HTTP/1.1 599 ', '1.1', 599, ''],
    ['HTTP/1.1 200 OK \t fine', '1.1', 200, 'OK \t fine'],
    ['HTTP/1.1 200  two spaces', '1.1', 200, ' two spaces'],
    ['HTTP/1.1 200 D\u00e9j\u00e0 vu', '1.1', 200, 'D\u00e9j\u00e0 vu'],
    ['HTTP/1.2 200 OK', '1.1', 200, 'OK'],
  ] as const)('%s', (line, version, status, reason) => {
    expect(parse(head(line, 'Content-Length: 0'))).toMatchObject({ kind: 'response', version, status, reason });
  });

  it.each([
    ['a lower-case version', 'http/1.1 200 OK', 'bad-version'],
    ['no version', '200 OK', 'bad-version'],
    ['HTTP/2.0', 'HTTP/2.0 200 OK', 'unsupported-version'],
    ['HTTP/0.9', 'HTTP/0.9 200 OK', 'unsupported-version'],
    ['two digits of status', 'HTTP/1.1 20 OK', 'bad-status'],
    ['four digits of status', 'HTTP/1.1 2000 OK', 'bad-status'],
    ['a status below 100', 'HTTP/1.1 099 Low', 'bad-status'],
    ['a status with a letter', 'HTTP/1.1 2x0 OK', 'bad-status'],
    ['two spaces before the status', 'HTTP/1.1  200 OK', 'bad-status'],
    ['a tab before the status', 'HTTP/1.1\t200 OK', 'bad-status'],
    ['NUL in the reason', 'HTTP/1.1 200 O\u0000K', 'bad-status'],
    ['DEL in the reason', 'HTTP/1.1 200 O\u007fK', 'bad-status'],
    ['a bare CR in the reason', 'HTTP/1.1 200 O\rK', 'bare-cr'],
    ['a bare LF ending the status line', 'HTTP/1.1 200 OK\nServer: x', 'bare-lf'],
    ['a bare LF right after the status', 'HTTP/1.1 200\nServer: x', 'bare-lf'],
  ] as const)('refuses %s with 502', (_, line, problem) => {
    expect(parse(head(line, 'Content-Length: 0'))).toMatchObject({ kind: 'error', problem, status: 502 });
  });
});

describe('parseResponseHead: fields', () => {
  it('gathers the Set-Cookie values in order, as sent', () => {
    const result = parse(
      head(
        'HTTP/1.1 200 OK',
        'Set-Cookie: sid=1; Domain=a.test; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax',
        'Content-Length: 0',
        'set-cookie: theme=dark; Path=/',
        'SET-COOKIE:   x="a, b"; Expires=Wed, 21 Oct 2015 07:28:00 GMT  ',
        'Set-Cookie2: ignored=1',
      ),
    );
    expect(result).toMatchObject({
      setCookies: ['sid=1; Domain=a.test; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax', 'theme=dark; Path=/', 'x="a, b"; Expires=Wed, 21 Oct 2015 07:28:00 GMT'],
    });
    expect(result.kind === 'response' ? result.fields.kinds : []).toEqual([
      FieldKind.SetCookie,
      FieldKind.ContentLength,
      FieldKind.SetCookie,
      FieldKind.SetCookie,
      FieldKind.Other,
    ]);
  });

  it('has no Set-Cookie values when there are none', () => {
    expect(parse(head('HTTP/1.1 204 No Content'))).toMatchObject({ setCookies: [] });
  });

  it('has no Host requirement', () => {
    expect(parse(head('HTTP/1.1 200 OK', 'Content-Length: 0')).kind).toBe('response');
  });

  it.each([
    ['obs-fold', ['X: a', ' b'], 'obs-fold'],
    ['whitespace before the first field', [' X: a'], 'space-after-start-line'],
    ['a space before the colon', ['Content-Length : 5'], 'space-before-colon'],
    ['NUL in a value', ['Set-Cookie: a=\u0000'], 'bad-field-value'],
    ['a bare LF', ['X: a\nY: b'], 'bare-lf'],
    ['a bare CR', ['X: a\rY: b'], 'bare-cr'],
    ['a bad name', ['X(Y): a'], 'bad-field-name'],
  ] as const)('refuses %s with 502', (_, lines, problem) => {
    expect(parse(head('HTTP/1.1 200 OK', ...lines))).toMatchObject({ kind: 'error', problem, status: 502 });
  });

  it('says where the head ends when the body follows in the same bytes', () => {
    const first = head('HTTP/1.1 200 OK', 'Content-Length: 5');
    expect(parse(`${first}hello`)).toMatchObject({ kind: 'response', length: first.length });
  });
});

describe('parseResponseHead: boundaries and limits', () => {
  it('is incomplete on every proper prefix of a head', () => {
    const text = head('HTTP/1.1 200 OK', 'Set-Cookie: a=1', 'Content-Length: 0');
    for (let end = 0; end < text.length; end++) {
      expect(parse(text.slice(0, end)), `prefix of ${end} bytes`).toMatchObject({ kind: 'incomplete' });
    }
  });

  it('resumes where it stopped and reads the same head', () => {
    const text = head('HTTP/1.1 200 OK', 'Set-Cookie: a=1', 'Content-Length: 0');
    const whole = parse(text);
    let resumeAt = 0;
    let result: ResponseHeadResult = { kind: 'incomplete', resumeAt: 0 };
    for (let end = 1; end <= text.length; end++) {
      result = parseResponseHead(latin1(text.slice(0, end)), RESPONSE_HEAD_LIMITS, resumeAt);
      if (result.kind !== 'incomplete') break;
      resumeAt = result.resumeAt;
    }
    expect(result).toEqual(whole);
  });

  it('does not skip empty lines before a status line', () => {
    expect(parse(`\r\n${head('HTTP/1.1 200 OK')}`)).toMatchObject({ problem: 'bad-version', status: 502 });
  });

  const small: HeadLimits = { maxStartLineBytes: 32, maxHeadBytes: 128, maxFields: 3 };

  it('refuses a long status line, a large head and many fields with 502', () => {
    expect(parse(head(`HTTP/1.1 200 ${'O'.repeat(40)}`), small)).toMatchObject({ problem: 'start-line-too-long', status: 502 });
    expect(parse(`HTTP/1.1 200 ${'O'.repeat(40)}`, small)).toMatchObject({ problem: 'start-line-too-long', status: 502 });
    expect(parse(head('HTTP/1.1 200 OK', `X: ${'v'.repeat(200)}`), small)).toMatchObject({ problem: 'head-too-large', status: 502 });
    expect(parse(head('HTTP/1.1 200 OK', 'A: 1', 'B: 2', 'C: 3', 'D: 4'), small)).toMatchObject({ problem: 'too-many-fields', status: 502 });
    expect(parse(head('HTTP/1.1 200 OK', 'A: 1', 'B: 2', 'C: 3'), small).kind).toBe('response');
  });

  it('takes 512 Set-Cookie lines with the default limits', () => {
    const lines = Array.from({ length: 512 }, (_, i) => `Set-Cookie: c${i}=${i}`);
    const result = parse(head('HTTP/1.1 200 OK', ...lines));
    expect(result.kind === 'response' ? result.setCookies.length : 0).toBe(512);
    expect(parse(head('HTTP/1.1 200 OK', 'X: y', ...lines))).toMatchObject({ problem: 'too-many-fields' });
  });
});
