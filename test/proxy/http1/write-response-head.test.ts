import { describe, expect, it } from 'vitest';
import type { ResponseHead } from '../../../src/proxy/http1/parse-response-head.ts';
import { parseResponseHead } from '../../../src/proxy/http1/parse-response-head.ts';
import type { AnsweredRequest } from '../../../src/proxy/http1/response-framing.ts';
import { responseFraming } from '../../../src/proxy/http1/response-framing.ts';
import type { ResponseHeadOptions } from '../../../src/proxy/http1/write-response-head.ts';
import { writeResponseHead } from '../../../src/proxy/http1/write-response-head.ts';
import { head, latin1 } from './wire-reader.ts';

function parsed(text: string): ResponseHead {
  const result = parseResponseHead(latin1(text));
  if (result.kind !== 'response') throw new Error(`head does not parse: ${JSON.stringify(result)}`);
  return result;
}

const GET: AnsweredRequest = { method: 'GET', upgrade: false };
const KEEP: ResponseHeadOptions = { connection: 'keep-alive' };

function forward(lines: readonly string[], options: ResponseHeadOptions = KEEP, request: AnsweredRequest = GET): string {
  const response = parsed(head(...lines));
  const framing = responseFraming(response, request);
  if (framing.kind === 'error') throw new Error(`head does not frame: ${framing.problem}`);
  return writeResponseHead(response, framing, options).toString('latin1');
}

describe('writeResponseHead', () => {
  it('writes the proxy\'s version with the status and reason as received', () => {
    expect(forward(['HTTP/1.0 200 Fine Thanks', 'Content-Length: 2'])).toBe(head('HTTP/1.1 200 Fine Thanks', 'Content-Length: 2', 'Connection: keep-alive'));
    expect(forward(['HTTP/1.1 204'])).toBe(head('HTTP/1.1 204 ', 'Connection: keep-alive'));
    expect(forward(['HTTP/1.1 999 D\u00e9nied', 'Content-Length: 0'])).toBe(head('HTTP/1.1 999 D\u00e9nied', 'Content-Length: 0', 'Connection: keep-alive'));
  });

  it('keeps every Set-Cookie and other end-to-end field, in order, as received', () => {
    const fields = ['Server: nginx', 'Set-Cookie: sid=1; Path=/; HttpOnly', 'content-type: text/plain', 'set-cookie: theme=dark', 'Content-Length: 0'];
    expect(forward(['HTTP/1.1 200 OK', ...fields])).toBe(head('HTTP/1.1 200 OK', ...fields, 'Connection: keep-alive'));
  });

  it.each([
    ['Connection', ['Connection: keep-alive']],
    ['Keep-Alive', ['Keep-Alive: timeout=5, max=100']],
    ['Proxy-Connection', ['Proxy-Connection: close']],
    ['Proxy-Authenticate', ['Proxy-Authenticate: Basic realm="x"']],
    ['Upgrade outside a switch', ['Upgrade: h2c']],
    ['fields Connection names', ['Connection: X-Hop', 'X-Hop: 1']],
  ] as const)('drops %s', (_, fields) => {
    expect(forward(['HTTP/1.1 200 OK', ...fields, 'Content-Length: 0'])).toBe(head('HTTP/1.1 200 OK', 'Content-Length: 0', 'Connection: keep-alive'));
  });

  it('sends the proxy\'s Connection, and close whenever the body runs until the origin closes', () => {
    expect(forward(['HTTP/1.1 200 OK', 'Content-Length: 0'], { connection: 'close' })).toBe(head('HTTP/1.1 200 OK', 'Content-Length: 0', 'Connection: close'));
    expect(forward(['HTTP/1.0 200 OK', 'Connection: keep-alive'])).toBe(head('HTTP/1.1 200 OK', 'Connection: close'));
    expect(forward(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Content-Length: 9'])).toBe(head('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Connection: close'));
  });

  it('drops Content-Length next to Transfer-Encoding (RFC 9112 §6.3 rule 3)', () => {
    expect(forward(['HTTP/1.1 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked'])).toBe(head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Connection: keep-alive'));
  });

  it('normalises a lone chunked coding and keeps a list of codings as received', () => {
    expect(forward(['HTTP/1.1 200 OK', 'Transfer-Encoding:  Chunked'])).toBe(head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Connection: keep-alive'));
    expect(forward(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip,  chunked'])).toBe(head('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip,  chunked', 'Connection: keep-alive'));
    expect(forward(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'])).toBe(
      head('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked', 'Connection: keep-alive'),
    );
  });

  it('merges identical Content-Length repeats into one canonical line', () => {
    expect(forward(['HTTP/1.1 200 OK', 'Content-Length: 4, 4', 'X: y', 'Content-Length: 04'])).toBe(head('HTTP/1.1 200 OK', 'Content-Length: 4', 'X: y', 'Connection: keep-alive'));
  });

  it('keeps the Content-Length of a response without a body as received', () => {
    expect(forward(['HTTP/1.1 304 Not Modified', 'Content-Length: 0123'])).toBe(head('HTTP/1.1 304 Not Modified', 'Content-Length: 0123', 'Connection: keep-alive'));
    expect(forward(['HTTP/1.1 200 OK', 'Content-Length: 1234'], KEEP, { method: 'HEAD', upgrade: false })).toBe(
      head('HTTP/1.1 200 OK', 'Content-Length: 1234', 'Connection: keep-alive'),
    );
  });

  it('keeps Upgrade and says upgrade on a 101', () => {
    expect(forward(['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Accept: x'], KEEP, { method: 'GET', upgrade: true })).toBe(
      head('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Sec-WebSocket-Accept: x', 'Connection: upgrade'),
    );
  });

  it('adds no Connection to an interim response or a tunnel\'s 2xx', () => {
    expect(forward(['HTTP/1.1 100 Continue'])).toBe(head('HTTP/1.1 100 Continue'));
    expect(forward(['HTTP/1.1 103 Early Hints', 'Link: </a.css>; rel=preload'])).toBe(head('HTTP/1.1 103 Early Hints', 'Link: </a.css>; rel=preload'));
    expect(forward(['HTTP/1.1 200 Connection established'], KEEP, { method: 'CONNECT', upgrade: false })).toBe(head('HTTP/1.1 200 Connection established'));
  });

  it('appends extra fields', () => {
    expect(forward(['HTTP/1.1 200 OK', 'Content-Length: 0'], { connection: 'keep-alive', extra: ['X-Jarsync', '1'] })).toBe(
      head('HTTP/1.1 200 OK', 'Content-Length: 0', 'Connection: keep-alive', 'X-Jarsync: 1'),
    );
  });

  it('writes what reads back with the same framing and Set-Cookie values', () => {
    const response = parsed(head('HTTP/1.0 200 OK', 'Set-Cookie: a=1', 'Content-Length: 3, 3', 'Keep-Alive: 5', 'Set-Cookie: b=2'));
    const framing = responseFraming(response, GET);
    if (framing.kind === 'error') throw new Error(framing.problem);
    const again = parsed(writeResponseHead(response, framing, KEEP).toString('latin1'));
    expect(responseFraming(again, GET)).toEqual(framing);
    expect(again.setCookies).toEqual(['a=1', 'b=2']);
  });
});
