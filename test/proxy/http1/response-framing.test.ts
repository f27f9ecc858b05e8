import { describe, expect, it } from 'vitest';
import type { BodyFraming } from '../../../src/proxy/http1/body-framing.ts';
import { parseResponseHead } from '../../../src/proxy/http1/parse-response-head.ts';
import type { AnsweredRequest } from '../../../src/proxy/http1/response-framing.ts';
import { responseFraming } from '../../../src/proxy/http1/response-framing.ts';
import type { WireError } from '../../../src/proxy/http1/wire-problem.ts';
import { head, latin1 } from './wire-reader.ts';

const GET: AnsweredRequest = { method: 'GET', upgrade: false };

function frame(request: AnsweredRequest, statusLine: string, ...fields: string[]): BodyFraming | WireError {
  const parsed = parseResponseHead(latin1(head(statusLine, ...fields)));
  if (parsed.kind !== 'response') throw new Error(`head does not parse: ${JSON.stringify(parsed)}`);
  return responseFraming(parsed, request);
}

describe('responseFraming (RFC 9112 §6.3)', () => {
  it.each([
    ['200 with Content-Length', GET, 'HTTP/1.1 200 OK', ['Content-Length: 21'], { kind: 'length', length: 21 }],
    ['200 with Content-Length: 0', GET, 'HTTP/1.1 200 OK', ['Content-Length: 0'], { kind: 'length', length: 0 }],
    ['200 with identical lengths', GET, 'HTTP/1.1 200 OK', ['Content-Length: 4', 'content-length: 4, 4'], { kind: 'length', length: 4 }],
    ['200 chunked', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding: chunked'], { kind: 'chunked' }],
    ['200 gzip then chunked', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding: gzip, chunked'], { kind: 'chunked' }],
    ['200 chunked and Content-Length (TE wins, rule 3)', GET, 'HTTP/1.1 200 OK', ['Content-Length: 10', 'Transfer-Encoding: chunked'], { kind: 'chunked' }],
    ['200 with a coding not ending in chunked (rule 4)', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding: gzip'], { kind: 'close' }],
    ['200 chunked, gzip', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding: chunked, gzip'], { kind: 'close' }],
    ['200 with an empty Transfer-Encoding', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding:'], { kind: 'close' }],
    ['200 with neither (rule 8)', GET, 'HTTP/1.1 200 OK', [], { kind: 'close' }],
    ['HTTP/1.0 200 with neither', GET, 'HTTP/1.0 200 OK', [], { kind: 'close' }],
    ['HTTP/1.0 200 with Content-Length', GET, 'HTTP/1.0 200 OK', ['Content-Length: 3'], { kind: 'length', length: 3 }],
    ['204', GET, 'HTTP/1.1 204 No Content', [], { kind: 'none' }],
    ['204 announcing a length', GET, 'HTTP/1.1 204 No Content', ['Content-Length: 5'], { kind: 'none' }],
    ['204 announcing chunked', GET, 'HTTP/1.1 204 No Content', ['Transfer-Encoding: chunked'], { kind: 'none' }],
    ['304 with the representation\'s length', GET, 'HTTP/1.1 304 Not Modified', ['Content-Length: 1234'], { kind: 'none' }],
    ['304 with a bad length (ignored, rule 1)', GET, 'HTTP/1.1 304 Not Modified', ['Content-Length: x'], { kind: 'none' }],
    ['HEAD: 200 with a length', { method: 'HEAD', upgrade: false }, 'HTTP/1.1 200 OK', ['Content-Length: 1234'], { kind: 'none' }],
    ['HEAD: 200 chunked', { method: 'HEAD', upgrade: false }, 'HTTP/1.1 200 OK', ['Transfer-Encoding: chunked'], { kind: 'none' }],
    ['HEAD: 404 with neither', { method: 'HEAD', upgrade: false }, 'HTTP/1.1 404 Not Found', [], { kind: 'none' }],
    ['100 Continue', GET, 'HTTP/1.1 100 Continue', [], { kind: 'interim' }],
    ['103 Early Hints', GET, 'HTTP/1.1 103 Early Hints', ['Link: </a.css>; rel=preload'], { kind: 'interim' }],
    ['102 Processing', GET, 'HTTP/1.1 102 Processing', [], { kind: 'interim' }],
    ['101 to an upgrade', { method: 'GET', upgrade: true }, 'HTTP/1.1 101 Switching Protocols', ['Upgrade: websocket', 'Connection: Upgrade'], { kind: 'tunnel' }],
    ['200 to CONNECT (rule 2)', { method: 'CONNECT', upgrade: false }, 'HTTP/1.1 200 Connection established', [], { kind: 'tunnel' }],
    ['200 to CONNECT with a length (rule 2)', { method: 'CONNECT', upgrade: false }, 'HTTP/1.1 200 OK', ['Content-Length: 5'], { kind: 'tunnel' }],
    ['407 to CONNECT', { method: 'CONNECT', upgrade: false }, 'HTTP/1.1 407 Proxy Authentication Required', ['Content-Length: 0'], { kind: 'length', length: 0 }],
    ['502 to CONNECT, read until close', { method: 'CONNECT', upgrade: false }, 'HTTP/1.1 502 Bad Gateway', [], { kind: 'close' }],
    ['200 to an upgrade that was declined', { method: 'GET', upgrade: true }, 'HTTP/1.1 200 OK', ['Content-Length: 2'], { kind: 'length', length: 2 }],
    ['999 with a length', GET, 'HTTP/1.1 999 Denied', ['Content-Length: 2'], { kind: 'length', length: 2 }],
  ] as const)('%s', (_, request, line, fields, expected) => {
    expect(frame(request, line, ...fields)).toEqual(expected);
  });

  it.each([
    ['a 101 nobody asked for', GET, 'HTTP/1.1 101 Switching Protocols', ['Upgrade: websocket'], 'unexpected-switch'],
    ['Content-Lengths that differ', GET, 'HTTP/1.1 200 OK', ['Content-Length: 5', 'Content-Length: 6'], 'content-lengths-differ'],
    ['a negative Content-Length', GET, 'HTTP/1.1 200 OK', ['Content-Length: -5'], 'bad-content-length'],
    ['an overflowing Content-Length', GET, 'HTTP/1.1 200 OK', ['Content-Length: 99999999999999999999'], 'bad-content-length'],
    ['chunked twice', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding: chunked, chunked'], 'chunked-twice'],
    ['chunked twice on two lines', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], 'chunked-twice'],
    ['a malformed Transfer-Encoding', GET, 'HTTP/1.1 200 OK', ['Transfer-Encoding: "chunked"'], 'bad-transfer-encoding'],
    ['Transfer-Encoding in HTTP/1.0', GET, 'HTTP/1.0 200 OK', ['Transfer-Encoding: chunked'], 'transfer-encoding-in-http10'],
  ] as const)('refuses %s with 502', (_, request, line, fields, problem) => {
    expect(frame(request, line, ...fields)).toMatchObject({ kind: 'error', problem, status: 502 });
  });
});
