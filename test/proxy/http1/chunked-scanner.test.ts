import { describe, expect, it } from 'vitest';
import type { BodyScan } from '../../../src/proxy/http1/body-scanner.ts';
import { ChunkedScanner } from '../../../src/proxy/http1/chunked-scanner.ts';
import { cutPositions, latin1 } from './wire-reader.ts';

/** Feeds `pieces` one by one; returns the bytes taken, whether the body ended, and the error if any. */
function scan(pieces: readonly Buffer[], scanner = new ChunkedScanner('request')): { taken: string; done: boolean; problem: string | null } {
  let taken = '';
  for (const piece of pieces) {
    const result: BodyScan = scanner.feed(piece);
    if (result.kind === 'error') return { taken, done: false, problem: result.problem };
    taken += piece.subarray(0, result.consumed).toString('latin1');
    if (result.kind === 'done') return { taken, done: true, problem: null };
    expect(result.consumed).toBe(piece.length);
  }
  return { taken, done: false, problem: null };
}

const VALID: readonly (readonly [string, string])[] = [
  ['the last chunk alone', '0\r\n\r\n'],
  ['one chunk', '5\r\nhello\r\n0\r\n\r\n'],
  ['two chunks', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'],
  ['upper-case hex', 'A\r\n0123456789\r\n0\r\n\r\n'],
  ['lower-case hex', 'a\r\n0123456789\r\n0\r\n\r\n'],
  ['mixed-case hex', '1F\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n'],
  ['leading zeros', '0005\r\nhello\r\n0\r\n\r\n'],
  ['a last chunk of several zeros', '5\r\nhello\r\n000\r\n\r\n'],
  ['sixteen hex digits', '0000000000000005\r\nhello\r\n0\r\n\r\n'],
  ['an extension', '5;name=value\r\nhello\r\n0\r\n\r\n'],
  ['an extension without a value', '5;name\r\nhello\r\n0\r\n\r\n'],
  ['several extensions', '5;a=1;b=2;c\r\nhello\r\n0\r\n\r\n'],
  ['BWS before an extension', '5 \t ;a=1\r\nhello\r\n0\r\n\r\n'],
  ['a quoted extension with a comma and a tab', '5;a="x, \ty"\r\nhello\r\n0\r\n\r\n'],
  ['an extension with obs-text', '5;a=caf\u00e9\r\nhello\r\n0\r\n\r\n'],
  ['an extension on the last chunk', '5\r\nhello\r\n0;final\r\n\r\n'],
  ['a trailer field', '5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n'],
  ['several trailer fields', '0\r\nA: 1\r\nb: two words\r\nC:\r\nD:\t\ttabs\t\r\n\r\n'],
  ['data holding CRLF and a fake last chunk', '9\r\n0\r\n\r\nabcd\r\n0\r\n\r\n'],
  ['binary data', `4\r\n\u0000\u00ff\r\n\r\n0\r\n\r\n`],
  ['a one-byte chunk', '1\r\nx\r\n0\r\n\r\n'],
  ['many small chunks', `${'1\r\nx\r\n'.repeat(50)}0\r\n\r\n`],
  ['a larger chunk', `400\r\n${'y'.repeat(1024)}\r\n0\r\n\r\n`],
];

describe('ChunkedScanner: bodies that end', () => {
  it.each(VALID)('%s', (_, body) => {
    expect(scan([latin1(body)])).toEqual({ taken: body, done: true, problem: null });
  });

  it.each(VALID)('%s, cut at every byte, reads the same', (_, body) => {
    const bytes = latin1(body);
    for (const cut of cutPositions(bytes.length)) {
      expect(scan([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual({ taken: body, done: true, problem: null });
    }
  });

  it.each(VALID)('%s, fed a byte at a time, reads the same', (_, body) => {
    const bytes = latin1(body);
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(scan(pieces)).toEqual({ taken: body, done: true, problem: null });
  });

  it('stops at the end of the body: what follows is the next message', () => {
    const body = '5\r\nhello\r\n0\r\n\r\n';
    const next = 'GET / HTTP/1.1\r\n\r\n';
    const scanner = new ChunkedScanner('request');
    expect(scanner.feed(latin1(body + next))).toEqual({ kind: 'done', consumed: body.length });
    expect(scanner.done).toBe(true);
    expect(scanner.feed(latin1(next))).toEqual({ kind: 'done', consumed: 0 });
    expect(scanner.finish()).toEqual({ kind: 'done', consumed: 0 });
  });

  it('scans a window of a buffer given by start and end', () => {
    const bytes = latin1('HEAD5\r\nhello\r\n0\r\n\r\nNEXT');
    const scanner = new ChunkedScanner('request');
    expect(scanner.feed(bytes, 4, 10)).toEqual({ kind: 'more', consumed: 6 });
    expect(scanner.feed(bytes, 10)).toEqual({ kind: 'done', consumed: 9 });
  });

  it('skips chunk data without looking at it, however large the chunk', () => {
    const scanner = new ChunkedScanner('request');
    expect(scanner.feed(latin1('1fffffffffffff\r\n'))).toEqual({ kind: 'more', consumed: 16 });
    const megabyte = Buffer.alloc(1 << 20, 0x0a);
    for (let i = 0; i < 4; i++) expect(scanner.feed(megabyte)).toEqual({ kind: 'more', consumed: megabyte.length });
    expect(scanner.done).toBe(false);
  });
});

describe('ChunkedScanner: broken framing', () => {
  it.each([
    ['an empty chunk-size line', '\r\n', 'bad-chunk-size'],
    ['a non-hex size', 'x\r\n', 'bad-chunk-size'],
    ['a negative size', '-5\r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a signed size', '+5\r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a space before the size', ' 5\r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a tab before the size', '\t5\r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a space after the size', '5 \r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a tab after the size', '5\t\r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a space inside the size', '1 0\r\n', 'bad-chunk-size'],
    ['a non-ASCII digit', '\u00b5\r\n', 'bad-chunk-size'],
    ['a size with a decimal point', '5.0\r\n', 'bad-chunk-size'],
    ['an overflowing size', 'ffffffffffffffffff\r\n', 'chunk-size-too-large'],
    ['2^53', '20000000000000\r\n', 'chunk-size-too-large'],
    ['seventeen hex digits of zeros', '00000000000000005\r\nhello\r\n0\r\n\r\n', 'chunk-size-too-large'],
    ['a bare LF after the size', '5\nhello\r\n0\r\n\r\n', 'bare-lf'],
    ['a bare CR after the size', '5\rhello\r\n0\r\n\r\n', 'bare-cr'],
    ['a bare LF after an extension', '5;a=1\nhello\r\n0\r\n\r\n', 'bad-chunk-extension'],
    ['a bare LF inside an extension', '5;a\nb\r\nhello\r\n0\r\n\r\n', 'bad-chunk-extension'],
    ['a bare CR inside an extension', '5;a\rb\r\nhello\r\n0\r\n\r\n', 'bare-cr'],
    ['NUL inside an extension', '5;a=\u0000\r\nhello\r\n0\r\n\r\n', 'bad-chunk-extension'],
    ['DEL inside an extension', '5;a=\u007f\r\nhello\r\n0\r\n\r\n', 'bad-chunk-extension'],
    ['BWS not followed by ";"', '5 x\r\n', 'bad-chunk-size'],
    ['data longer than its size', '5\r\nhello world\r\n0\r\n\r\n', 'missing-chunk-crlf'],
    ['data shorter than its size', '6\r\nhello\r\n0\r\n\r\n', 'missing-chunk-crlf'],
    ['a bare LF after the data', '5\r\nhello\n0\r\n\r\n', 'missing-chunk-crlf'],
    ['a bare CR after the data', '5\r\nhello\r0\r\n\r\n', 'missing-chunk-crlf'],
    ['nothing between chunks', '5\r\nhello5\r\nworld\r\n0\r\n\r\n', 'missing-chunk-crlf'],
    ['a bare LF in a trailer value', '0\r\nX: a\nY: b\r\n\r\n', 'bad-trailer'],
    ['obs-fold in the trailers', '0\r\nX: a\r\n b\r\n\r\n', 'bad-trailer'],
    ['a space before a trailer colon', '0\r\nX : a\r\n\r\n', 'bad-trailer'],
    ['an empty trailer name', '0\r\n: a\r\n\r\n', 'bad-trailer'],
    ['a trailer line without a colon', '0\r\nX\r\n\r\n', 'bad-trailer'],
    ['NUL in a trailer value', '0\r\nX: \u0000\r\n\r\n', 'bad-trailer'],
    ['a bare LF as the final line', '0\r\n\n', 'bad-trailer'],
    ['a bare CR as the final line', '0\r\n\r\r', 'bare-cr'],
    ['a bare CR ending a trailer', '0\r\nX: a\rY\r\n\r\n', 'bare-cr'],
    ['a bare LF after the last chunk', '0\n\r\n', 'bare-lf'],
  ] as const)('refuses %s', (_, body, problem) => {
    expect(scan([latin1(body)])).toMatchObject({ done: false, problem });
  });

  it('refuses every broken body the same way wherever it is cut', () => {
    const broken = ['5;a\nb\r\nhello\r\n0\r\n\r\n', '5\r\nhello\n0\r\n\r\n', '0\r\nX: a\nY: b\r\n\r\n', 'ffffffffffffffffff\r\n'];
    for (const body of broken) {
      const bytes = latin1(body);
      const whole = scan([bytes]).problem;
      for (const cut of cutPositions(bytes.length)) {
        expect(scan([bytes.subarray(0, cut), bytes.subarray(cut)]).problem, `${JSON.stringify(body)} cut at ${cut}`).toBe(whole);
      }
    }
  });

  it('answers the same error again after a failure, consuming nothing', () => {
    const scanner = new ChunkedScanner('response');
    const first = scanner.feed(latin1('zz'));
    expect(first).toMatchObject({ kind: 'error', problem: 'bad-chunk-size', status: 502 });
    expect(scanner.feed(latin1('0\r\n\r\n'))).toBe(first);
    expect(scanner.finish()).toBe(first);
  });

  it('says the body was cut short when the connection ends inside it', () => {
    for (const partial of ['', '5', '5\r\nhel', '5\r\nhello\r\n', '0\r\n', '0\r\nX: y\r\n', '0\r\n\r']) {
      const scanner = new ChunkedScanner('request');
      scanner.feed(latin1(partial));
      expect(scanner.finish(), JSON.stringify(partial)).toMatchObject({ kind: 'error', problem: 'body-cut-short', status: 400 });
    }
  });
});

describe('ChunkedScanner: limits', () => {
  it('takes extensions up to the limit and refuses longer ones', () => {
    const limits = { maxExtensionBytes: 10, maxTrailerBytes: 100 };
    expect(scan([latin1('5;abcdefghi\r\nhello\r\n0\r\n\r\n')], new ChunkedScanner('request', limits)).done).toBe(true);
    expect(scan([latin1('5;abcdefghij\r\nhello\r\n0\r\n\r\n')], new ChunkedScanner('request', limits)).problem).toBe('chunk-extension-too-long');
    expect(scan([latin1(`5${' '.repeat(20)};a\r\n`)], new ChunkedScanner('request', limits)).problem).toBe('chunk-extension-too-long');
  });

  it('refuses an endless extension with the default limit', () => {
    const scanner = new ChunkedScanner('request');
    expect(scanner.feed(latin1(`5;${'a'.repeat(16_000)}`)).kind).toBe('more');
    expect(scanner.feed(latin1('a'.repeat(1_000)))).toMatchObject({ problem: 'chunk-extension-too-long' });
  });

  it('counts the extension limit per chunk', () => {
    const limits = { maxExtensionBytes: 6, maxTrailerBytes: 100 };
    const body = `${'1;abcde\r\nx\r\n'.repeat(10)}0;abcde\r\n\r\n`;
    expect(scan([latin1(body)], new ChunkedScanner('request', limits)).done).toBe(true);
  });

  it('takes a trailer section up to the limit and refuses a larger one', () => {
    const limits = { maxExtensionBytes: 10, maxTrailerBytes: 12 };
    // "X: 1234\r\n" and the final CRLF are 11 bytes; "X: 12345678\r\n" alone is 14.
    expect(scan([latin1('0\r\nX: 1234\r\n\r\n')], new ChunkedScanner('request', limits)).done).toBe(true);
    expect(scan([latin1('0\r\nX: 12345678\r\n\r\n')], new ChunkedScanner('request', limits)).problem).toBe('trailer-too-large');
    expect(scan([latin1(`0\r\n${'X: 1\r\n'.repeat(3_000)}`)], new ChunkedScanner('request')).problem).toBe('trailer-too-large');
  });
});
