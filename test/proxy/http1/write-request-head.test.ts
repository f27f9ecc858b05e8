import { describe, expect, it } from 'vitest';
import { parseRequestHead } from '../../../src/proxy/http1/parse-request-head.ts';
import type { RequestHead } from '../../../src/proxy/http1/parse-request-head.ts';
import { requestFraming } from '../../../src/proxy/http1/request-framing.ts';
import type { RequestHeadOptions } from '../../../src/proxy/http1/write-request-head.ts';
import { writeRequestHead } from '../../../src/proxy/http1/write-request-head.ts';
import { head, latin1 } from './wire-reader.ts';

function parsed(text: string): RequestHead {
  const result = parseRequestHead(latin1(text));
  if (result.kind !== 'request') throw new Error(`head does not parse: ${JSON.stringify(result)}`);
  return result;
}

/** Parses `lines` as a head, frames it, writes it with `options`; the written head as latin1 text. */
function forward(lines: readonly string[], options: RequestHeadOptions): string {
  const request = parsed(head(...lines));
  const framing = requestFraming(request);
  if (framing.kind === 'error') throw new Error(`head does not frame: ${framing.problem}`);
  const written = writeRequestHead(request, framing, options);
  expect(Buffer.isBuffer(written)).toBe(true);
  return written.toString('latin1');
}

const KEEP: RequestHeadOptions = { connection: 'keep-alive' };

describe('writeRequestHead: the request line and Host', () => {
  it('turns an absolute-form request into origin-form with the target as Host, first', () => {
    expect(
      forward(['GET http://a.test:8080/p?q HTTP/1.1', 'User-Agent: x', 'Host: wrong.test', 'Accept: */*'], {
        path: '/p?q',
        host: 'a.test:8080',
        connection: 'keep-alive',
      }),
    ).toBe(head('GET /p?q HTTP/1.1', 'Host: a.test:8080', 'User-Agent: x', 'Accept: */*', 'Connection: keep-alive'));
  });

  it('keeps the target and Host as received for an origin-form request in a tunnel', () => {
    expect(forward(['GET /a/../b?c=%20 HTTP/1.1', 'x-first: 1', 'hOST: a.test'], KEEP)).toBe(
      head('GET /a/../b?c=%20 HTTP/1.1', 'x-first: 1', 'hOST: a.test', 'Connection: keep-alive'),
    );
  });

  it('keeps the method as sent and the client version, HTTP/1.0 included', () => {
    expect(forward(['PROPFIND /d HTTP/1.1', 'Host: a'], KEEP)).toBe(head('PROPFIND /d HTTP/1.1', 'Host: a', 'Connection: keep-alive'));
    expect(forward(['GET http://a.test/ HTTP/1.0'], { path: '/', host: 'a.test', connection: 'close' })).toBe(
      head('GET / HTTP/1.0', 'Host: a.test', 'Connection: close'),
    );
    expect(forward(['GET / HTTP/1.7', 'Host: a'], KEEP)).toBe(head('GET / HTTP/1.1', 'Host: a', 'Connection: keep-alive'));
  });

  it('sends OPTIONS * as it came', () => {
    expect(forward(['OPTIONS * HTTP/1.1', 'Host: a'], KEEP)).toBe(head('OPTIONS * HTTP/1.1', 'Host: a', 'Connection: keep-alive'));
  });
});

describe('writeRequestHead: end-to-end fields as received', () => {
  it('keeps case, order, repeats, spacing and obs-text byte for byte', () => {
    const lines = ['Host: a', 'x-lower:v', 'X-Pad: \t padded \t ', 'Cookie: a=1', 'X-Repeat: 1', 'cookie: b=2', 'X-Repeat: 2', 'X-Latin: caf\u00e9\u00ff'];
    const written = forward(['GET / HTTP/1.1', ...lines], KEEP);
    expect(written).toBe(head('GET / HTTP/1.1', ...lines, 'Connection: keep-alive'));
    expect(latin1(written).includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0xff]))).toBe(true);
  });

  it('keeps Trailer: the trailer fields it announces pass through with the chunked body', () => {
    expect(forward(['POST / HTTP/1.1', 'Host: a', 'Trailer: X-Sum', 'Transfer-Encoding: chunked'], KEEP)).toBe(
      head('POST / HTTP/1.1', 'Host: a', 'Trailer: X-Sum', 'Transfer-Encoding: chunked', 'Connection: keep-alive'),
    );
  });

  it('drops Trailer when no chunked body follows: there is nothing for it to announce', () => {
    expect(forward(['GET / HTTP/1.1', 'Host: a', 'Trailer: X-Sum', 'X-Kept: 1'], KEEP)).toBe(head('GET / HTTP/1.1', 'Host: a', 'X-Kept: 1', 'Connection: keep-alive'));
  });

  it('keeps Expect unless asked to drop it', () => {
    const lines = ['POST / HTTP/1.1', 'Host: a', 'Expect: 100-continue', 'Content-Length: 3'];
    expect(forward(lines, KEEP)).toBe(head('POST / HTTP/1.1', 'Host: a', 'Expect: 100-continue', 'Content-Length: 3', 'Connection: keep-alive'));
    expect(forward(lines, { connection: 'keep-alive', dropExpect: true })).toBe(head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 3', 'Connection: keep-alive'));
  });

  it('appends extra fields after the received ones', () => {
    expect(forward(['GET / HTTP/1.1', 'Host: a'], { connection: 'close', extra: ['X-Forwarded-For', '10.0.0.1', 'Via', '1.1 jarsync'] })).toBe(
      head('GET / HTTP/1.1', 'Host: a', 'Connection: close', 'X-Forwarded-For: 10.0.0.1', 'Via: 1.1 jarsync'),
    );
  });
});

describe('writeRequestHead: hop-by-hop fields (RFC 9110 §7.6.1)', () => {
  it.each([
    ['Connection', ['Connection: keep-alive']],
    ['Proxy-Connection', ['Proxy-Connection: keep-alive']],
    ['Keep-Alive', ['Keep-Alive: timeout=5']],
    ['TE', ['TE: trailers']],
    ['Upgrade when no switch is wanted', ['Upgrade: h2c']],
    ['Proxy-Authorization', ['Proxy-Authorization: Basic dTpw']],
    ['Proxy-Authenticate', ['Proxy-Authenticate: Basic']],
    ['fields Connection names, in any case', ['Connection: X-Hop, x-other', 'x-hop: 1', 'X-OTHER: 2']],
    ['fields named across Connection lines', ['Connection: X-A', 'connection: X-B', 'X-A: 1', 'X-B: 2']],
    ['a known field Connection names', ['Connection: Cookie', 'Cookie: a=1']],
    ['Expect, when Connection names it', ['Connection: expect', 'Expect: 100-continue']],
    ['all at once', ['Connection: close, X-Hop', 'Keep-Alive: 5', 'TE: trailers', 'Proxy-Connection: close', 'X-Hop: 1', 'Upgrade: websocket']],
  ] as const)('drops %s', (_, fields) => {
    expect(forward(['GET / HTTP/1.1', 'Host: a', ...fields, 'Accept: */*'], KEEP)).toBe(head('GET / HTTP/1.1', 'Host: a', 'Accept: */*', 'Connection: keep-alive'));
  });

  it('ignores a Connection option naming Host or a framing field', () => {
    expect(forward(['POST / HTTP/1.1', 'Host: a', 'Connection: Host, Content-Length, Transfer-Encoding', 'Content-Length: 3'], KEEP)).toBe(
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 3', 'Connection: keep-alive'),
    );
    expect(forward(['POST / HTTP/1.1', 'Host: a', 'Connection: transfer-encoding', 'Transfer-Encoding: chunked'], KEEP)).toBe(
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Connection: keep-alive'),
    );
  });

  it('sends the proxy\'s own Connection', () => {
    expect(forward(['GET / HTTP/1.1', 'Host: a', 'Connection: keep-alive'], { connection: 'close' })).toBe(head('GET / HTTP/1.1', 'Host: a', 'Connection: close'));
  });

  it('keeps Upgrade and asks for it for a protocol switch', () => {
    const lines = ['GET /ws HTTP/1.1', 'Host: a', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: k'];
    expect(forward(lines, { connection: 'keep-alive', upgrade: true })).toBe(
      head('GET /ws HTTP/1.1', 'Host: a', 'Upgrade: websocket', 'Sec-WebSocket-Key: k', 'Connection: upgrade'),
    );
    expect(forward(lines, { connection: 'close', upgrade: true })).toBe(
      head('GET /ws HTTP/1.1', 'Host: a', 'Upgrade: websocket', 'Sec-WebSocket-Key: k', 'Connection: upgrade, close'),
    );
  });
});

describe('writeRequestHead: framing fields go on as the proxy read them', () => {
  it.each([
    ['a canonical Content-Length, byte for byte', ['Content-Length: 5'], ['Content-Length: 5']],
    ['a lower-case name, as received', ['content-length: 5'], ['content-length: 5']],
    ['leading zeros, normalised', ['Content-Length: 0005'], ['Content-Length: 5']],
    ['OWS around the value, removed', ['Content-Length:\t5 '], ['Content-Length: 5']],
    ['no space after the colon, added', ['Content-Length:5'], ['Content-Length: 5']],
    ['identical repeats, merged into the first', ['Content-Length: 5', 'X: y', 'content-length: 5'], ['Content-Length: 5', 'X: y']],
    ['an identical list, merged', ['Content-Length: 5, 5'], ['Content-Length: 5']],
    ['Transfer-Encoding: chunked, byte for byte', ['Transfer-Encoding: chunked'], ['Transfer-Encoding: chunked']],
    ['chunked in capitals, normalised', ['Transfer-Encoding: CHUNKED'], ['Transfer-Encoding: chunked']],
    ['chunked after a tab, normalised', ['transfer-encoding:\tchunked'], ['transfer-encoding: chunked']],
    ['chunked among empty list elements, normalised', ['Transfer-Encoding: , chunked,'], ['Transfer-Encoding: chunked']],
    ['chunked on the second of two lines, one line in the first place', ['Transfer-Encoding:', 'X: y', 'Transfer-Encoding: chunked'], ['Transfer-Encoding: chunked', 'X: y']],
  ] as const)('%s', (_, fields, expected) => {
    expect(forward(['POST / HTTP/1.1', 'Host: a', ...fields], KEEP)).toBe(head('POST / HTTP/1.1', 'Host: a', ...expected, 'Connection: keep-alive'));
  });
});

describe('writeRequestHead: what it writes reads back the same', () => {
  it.each([
    [['GET http://a.test/x HTTP/1.1', 'Host: a.test', 'Cookie: a=1', 'Proxy-Connection: keep-alive', 'Accept: */*']],
    [['POST http://a.test/x HTTP/1.1', 'Host: a.test', 'Content-Length: 007', 'content-length: 7', 'Connection: X-Hop', 'X-Hop: 1']],
    [['PUT http://a.test/x HTTP/1.1', 'Host: a.test', 'Transfer-Encoding:\tChunked', 'Trailer: X-Sum', 'X-Keep:  spaced  ']],
  ])('%o', (lines) => {
    const request = parsed(head(...lines));
    const framing = requestFraming(request);
    if (framing.kind === 'error') throw new Error(framing.problem);
    const again = parsed(writeRequestHead(request, framing, { path: '/x', host: 'a.test', connection: 'keep-alive' }).toString('latin1'));
    expect(requestFraming(again)).toEqual(framing);
    expect(again.cookies).toEqual(request.cookies);
    expect(again).toMatchObject({ method: request.method, target: '/x', form: 'origin', version: request.version });
  });
});
