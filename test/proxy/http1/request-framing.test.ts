import { describe, expect, it } from 'vitest';
import type { RequestFraming } from '../../../src/proxy/http1/body-framing.ts';
import { parseRequestHead } from '../../../src/proxy/http1/parse-request-head.ts';
import { requestFraming } from '../../../src/proxy/http1/request-framing.ts';
import type { WireError } from '../../../src/proxy/http1/wire-problem.ts';
import { head, latin1 } from './wire-reader.ts';

function frame(...lines: string[]): RequestFraming | WireError {
  const [first = 'POST / HTTP/1.1', ...fields] = lines;
  const parsed = parseRequestHead(latin1(head(first, 'Host: a.test', ...fields)));
  if (parsed.kind !== 'request') throw new Error(`head does not parse: ${JSON.stringify(parsed)}`);
  return requestFraming(parsed);
}

describe('requestFraming: bodies that are well framed', () => {
  it.each([
    ['no framing fields', [], { kind: 'none' }],
    ['Content-Length: 0', ['Content-Length: 0'], { kind: 'length', length: 0 }],
    ['Content-Length: 5', ['Content-Length: 5'], { kind: 'length', length: 5 }],
    ['leading zeros', ['Content-Length: 0005'], { kind: 'length', length: 5 }],
    ['2^53 - 1', ['Content-Length: 9007199254740991'], { kind: 'length', length: 9_007_199_254_740_991 }],
    ['identical repeated lines', ['Content-Length: 7', 'Content-Length: 7'], { kind: 'length', length: 7 }],
    ['an identical list', ['Content-Length: 7, 7'], { kind: 'length', length: 7 }],
    ['an identical list without spaces', ['Content-Length: 7,7,7'], { kind: 'length', length: 7 }],
    ['identical values, leading zeros aside', ['Content-Length: 7', 'Content-Length: 007'], { kind: 'length', length: 7 }],
    ['lower-case name', ['content-length: 3'], { kind: 'length', length: 3 }],
    ['Transfer-Encoding: chunked', ['Transfer-Encoding: chunked'], { kind: 'chunked' }],
    ['chunked in capitals', ['Transfer-Encoding: CHUNKED'], { kind: 'chunked' }],
    ['chunked in mixed case', ['transfer-encoding: Chunked'], { kind: 'chunked' }],
    ['chunked after a tab (OWS)', ['Transfer-Encoding:\tchunked'], { kind: 'chunked' }],
    ['chunked with trailing OWS', ['Transfer-Encoding: chunked \t'], { kind: 'chunked' }],
    ['chunked with empty list elements', ['Transfer-Encoding: , chunked ,'], { kind: 'chunked' }],
    ['chunked after an empty line of the field', ['Transfer-Encoding:', 'Transfer-Encoding: chunked'], { kind: 'chunked' }],
  ] as const)('POST with %s', (_, fields, expected) => {
    expect(frame('POST / HTTP/1.1', ...fields)).toEqual(expected);
  });

  it.each([
    ['GET with no body', ['GET / HTTP/1.1'], { kind: 'none' }],
    ['HTTP/1.0 POST with Content-Length', ['POST / HTTP/1.0', 'Content-Length: 2'], { kind: 'length', length: 2 }],
    ['HTTP/1.0 POST with neither (no body: RFC 9112 §6.3 rule 6)', ['POST / HTTP/1.0'], { kind: 'none' }],
    ['CONNECT with no body', ['CONNECT a.test:443 HTTP/1.1'], { kind: 'none' }],
    ['CONNECT with Content-Length: 0', ['CONNECT a.test:443 HTTP/1.1', 'Content-Length: 0'], { kind: 'length', length: 0 }],
  ] as const)('%s', (_, lines, expected) => {
    expect(frame(...lines)).toEqual(expected);
  });
});

/**
 * The request smuggling corpus: shapes that two parsers in a row have been
 * seen to read differently (CL.TE, TE.CL, TE.TE with obfuscated
 * Transfer-Encoding, duplicated lengths). Every one is refused before any of
 * its bytes go upstream.
 */
describe('requestFraming: the request smuggling corpus', () => {
  it.each([
    ['CL.TE: Content-Length then Transfer-Encoding', ['Content-Length: 13', 'Transfer-Encoding: chunked'], 'transfer-encoding-with-content-length', 400],
    ['TE.CL: Transfer-Encoding then Content-Length', ['Transfer-Encoding: chunked', 'Content-Length: 3'], 'transfer-encoding-with-content-length', 400],
    ['CL.TE with Content-Length: 0', ['Content-Length: 0', 'Transfer-Encoding: chunked'], 'transfer-encoding-with-content-length', 400],
    ['TE.TE: xchunked', ['Transfer-Encoding: xchunked'], 'chunked-not-final', 400],
    ['TE.TE: chunkedx', ['Transfer-Encoding: chunkedx'], 'chunked-not-final', 400],
    ['TE.TE: chunked, identity', ['Transfer-Encoding: chunked, identity'], 'chunked-not-final', 400],
    ['TE.TE: chunked then identity on another line', ['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'], 'chunked-not-final', 400],
    ['TE.TE: identity', ['Transfer-Encoding: identity'], 'chunked-not-final', 400],
    ['TE.TE: gzip alone', ['Transfer-Encoding: gzip'], 'chunked-not-final', 400],
    ['TE.TE: duplicated chunked', ['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], 'chunked-twice', 400],
    ['TE.TE: chunked, chunked', ['Transfer-Encoding: chunked, chunked'], 'chunked-twice', 400],
    ['TE.TE: chunked in quotes', ['Transfer-Encoding: "chunked"'], 'bad-transfer-encoding', 400],
    ['TE.TE: chunked with a parameter', ['Transfer-Encoding: chunked;q=1'], 'bad-transfer-encoding', 400],
    ['TE.TE: a space inside chunked', ['Transfer-Encoding: chun ked'], 'bad-transfer-encoding', 400],
    ['TE.TE: a vertical bar', ['Transfer-Encoding: chunked|identity'], 'chunked-not-final', 400],
    ['TE.TE: a slash', ['Transfer-Encoding: chunked/1'], 'bad-transfer-encoding', 400],
    ['TE.TE: a semicolon list', ['Transfer-Encoding: chunked; identity'], 'bad-transfer-encoding', 400],
    ['TE.TE: an empty value', ['Transfer-Encoding: '], 'bad-transfer-encoding', 400],
    ['TE.TE: only commas', ['Transfer-Encoding: , ,'], 'bad-transfer-encoding', 400],
    ['TE.TE: non-ASCII lookalike', ['Transfer-Encoding: chunk\u00e9d'], 'bad-transfer-encoding', 400],
    ['gzip, chunked', ['Transfer-Encoding: gzip, chunked'], 'unknown-transfer-coding', 501],
    ['deflate then chunked on two lines', ['Transfer-Encoding: deflate', 'Transfer-Encoding: chunked'], 'unknown-transfer-coding', 501],
    ['identity, chunked', ['Transfer-Encoding: identity, chunked'], 'unknown-transfer-coding', 501],
    ['a coding with a parameter before chunked', ['Transfer-Encoding: gzip;level=1, chunked'], 'unknown-transfer-coding', 501],
    ['Content-Lengths that differ', ['Content-Length: 5', 'Content-Length: 6'], 'content-lengths-differ', 400],
    ['a list of differing lengths', ['Content-Length: 5, 6'], 'content-lengths-differ', 400],
    ['a negative length', ['Content-Length: -1'], 'bad-content-length', 400],
    ['a signed length', ['Content-Length: +5'], 'bad-content-length', 400],
    ['a hexadecimal length', ['Content-Length: 0x10'], 'bad-content-length', 400],
    ['a fractional length', ['Content-Length: 5.0'], 'bad-content-length', 400],
    ['an exponent', ['Content-Length: 1e3'], 'bad-content-length', 400],
    ['a space inside the length', ['Content-Length: 1 0'], 'bad-content-length', 400],
    ['an empty length', ['Content-Length: '], 'bad-content-length', 400],
    ['an empty list element', ['Content-Length: 5,,5'], 'bad-content-length', 400],
    ['a trailing comma', ['Content-Length: 5,'], 'bad-content-length', 400],
    ['a length with letters', ['Content-Length: 5abc'], 'bad-content-length', 400],
    ['a length beyond 2^53 - 1', ['Content-Length: 9007199254740992'], 'bad-content-length', 400],
    ['a length that overflows 64 bits', ['Content-Length: 18446744073709551616'], 'bad-content-length', 400],
    ['an endless length', [`Content-Length: ${'9'.repeat(400)}`], 'bad-content-length', 400],
    ['Unicode digits', ['Content-Length: \u00b9'], 'bad-content-length', 400],
  ] as const)('refuses %s', (_, fields, problem, status) => {
    expect(frame('POST / HTTP/1.1', ...fields)).toMatchObject({ kind: 'error', problem, status });
  });

  it.each([
    ['Transfer-Encoding in HTTP/1.0', ['POST / HTTP/1.0', 'Transfer-Encoding: chunked'], 'transfer-encoding-in-http10', 400],
    ['Transfer-Encoding and Content-Length in HTTP/1.0', ['POST / HTTP/1.0', 'Transfer-Encoding: chunked', 'Content-Length: 3'], 'transfer-encoding-in-http10', 400],
    ['a CONNECT with a chunked body', ['CONNECT a.test:443 HTTP/1.1', 'Transfer-Encoding: chunked'], 'content-in-connect', 400],
    ['a CONNECT with a length', ['CONNECT a.test:443 HTTP/1.1', 'Content-Length: 4'], 'content-in-connect', 400],
  ] as const)('refuses %s', (_, lines, problem, status) => {
    expect(frame(...lines)).toMatchObject({ kind: 'error', problem, status });
  });

  it('reads "Transfer-Encoding : chunked" (space before the colon) as no field at all, and refuses the head', () => {
    const parsed = parseRequestHead(latin1(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding : chunked')));
    expect(parsed).toMatchObject({ kind: 'error', problem: 'space-before-colon', status: 400 });
  });

  it('reads an obs-folded Transfer-Encoding as nothing, and refuses the head', () => {
    const parsed = parseRequestHead(latin1(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding:', ' chunked')));
    expect(parsed).toMatchObject({ kind: 'error', problem: 'obs-fold' });
  });

  it('does not take Transfer-Encoding from a look-alike name', () => {
    expect(frame('POST / HTTP/1.1', 'Transfer-Encodings: chunked')).toEqual({ kind: 'none' });
    expect(frame('POST / HTTP/1.1', 'X-Transfer-Encoding: chunked', 'Content-Length: 1')).toEqual({ kind: 'length', length: 1 });
  });
});
