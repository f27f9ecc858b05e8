import { describe, expect, it } from 'vitest';
import type { BodyFraming } from '../../../src/proxy/http1/body-framing.ts';
import { bodyScannerFor } from '../../../src/proxy/http1/body-scanner-for.ts';
import { ChunkedScanner } from '../../../src/proxy/http1/chunked-scanner.ts';
import { LengthScanner } from '../../../src/proxy/http1/length-scanner.ts';
import { UntilCloseScanner } from '../../../src/proxy/http1/until-close-scanner.ts';
import { latin1 } from './wire-reader.ts';

describe('LengthScanner', () => {
  it('takes exactly the length, across pieces, and leaves the rest', () => {
    const scanner = new LengthScanner(10, 'request');
    expect(scanner.feed(latin1('abcd'))).toEqual({ kind: 'more', consumed: 4 });
    expect(scanner.remaining).toBe(6);
    expect(scanner.done).toBe(false);
    expect(scanner.feed(latin1('efghijGET / HTTP/1.1'))).toEqual({ kind: 'done', consumed: 6 });
    expect(scanner.done).toBe(true);
    expect(scanner.feed(latin1('more'))).toEqual({ kind: 'done', consumed: 0 });
  });

  it('ends exactly at the end of a piece', () => {
    const scanner = new LengthScanner(3, 'request');
    expect(scanner.feed(latin1('abc'))).toEqual({ kind: 'done', consumed: 3 });
  });

  it('is done at once for a length of 0', () => {
    const scanner = new LengthScanner(0, 'request');
    expect(scanner.done).toBe(true);
    expect(scanner.feed(latin1('GET'))).toEqual({ kind: 'done', consumed: 0 });
    expect(scanner.feed(Buffer.alloc(0))).toEqual({ kind: 'done', consumed: 0 });
  });

  it('scans a window given by start and end', () => {
    const scanner = new LengthScanner(5, 'request');
    expect(scanner.feed(latin1('xxabcdefgh'), 2, 4)).toEqual({ kind: 'more', consumed: 2 });
    expect(scanner.feed(latin1('xxabcdefgh'), 4)).toEqual({ kind: 'done', consumed: 3 });
  });

  it('says the body was cut short when the connection ends first', () => {
    const scanner = new LengthScanner(5, 'response');
    scanner.feed(latin1('abc'));
    expect(scanner.finish()).toMatchObject({ kind: 'error', problem: 'body-cut-short', status: 502 });
    const whole = new LengthScanner(3, 'request');
    whole.feed(latin1('abc'));
    expect(whole.finish()).toEqual({ kind: 'done', consumed: 0 });
  });

  it('counts lengths beyond 4 GiB exactly', () => {
    const scanner = new LengthScanner(2 ** 40 + 1, 'request');
    const piece = Buffer.alloc(1 << 20);
    for (let i = 0; i < 8; i++) scanner.feed(piece);
    expect(scanner.remaining).toBe(2 ** 40 + 1 - 8 * (1 << 20));
  });
});

describe('UntilCloseScanner', () => {
  it('takes everything until the connection ends, and then is done', () => {
    const scanner = new UntilCloseScanner();
    expect(scanner.feed(latin1('HTTP/1.1 200 OK\r\n\r\n'))).toEqual({ kind: 'more', consumed: 19 });
    expect(scanner.feed(latin1('abc'), 1)).toEqual({ kind: 'more', consumed: 2 });
    expect(scanner.done).toBe(false);
    expect(scanner.finish()).toEqual({ kind: 'done', consumed: 0 });
    expect(scanner.done).toBe(true);
    expect(scanner.feed(latin1('late'))).toEqual({ kind: 'done', consumed: 0 });
  });
});

describe('bodyScannerFor', () => {
  it.each([
    [{ kind: 'length', length: 4 }, LengthScanner, false],
    [{ kind: 'chunked' }, ChunkedScanner, false],
    [{ kind: 'close' }, UntilCloseScanner, false],
    [{ kind: 'none' }, LengthScanner, true],
    [{ kind: 'interim' }, LengthScanner, true],
    [{ kind: 'tunnel' }, LengthScanner, true],
  ] as const)('%o', (framing: BodyFraming, kind, done) => {
    const scanner = bodyScannerFor(framing, 'request');
    expect(scanner).toBeInstanceOf(kind);
    expect(scanner.done).toBe(done);
  });

  it('passes chunked limits on', () => {
    const scanner = bodyScannerFor({ kind: 'chunked' }, 'request', { maxExtensionBytes: 1, maxTrailerBytes: 1 });
    expect(scanner.feed(latin1('5;ab\r\n'))).toMatchObject({ problem: 'chunk-extension-too-long' });
  });
});
