/**
 * Every problem in the table is reachable, names the status a client gets, and
 * comes out with that name: one example of each. A problem added to the table
 * without an example here does not compile (the examples are a Record over
 * every name).
 */
import { describe, expect, it } from 'vitest';
import { ChunkedScanner } from '../../../src/proxy/http1/chunked-scanner.ts';
import { LengthScanner } from '../../../src/proxy/http1/length-scanner.ts';
import { parseRequestHead } from '../../../src/proxy/http1/parse-request-head.ts';
import { parseResponseHead } from '../../../src/proxy/http1/parse-response-head.ts';
import { requestFraming } from '../../../src/proxy/http1/request-framing.ts';
import { responseFraming } from '../../../src/proxy/http1/response-framing.ts';
import type { WireProblem } from '../../../src/proxy/http1/wire-problem.ts';
import { WIRE_PROBLEMS, wireError } from '../../../src/proxy/http1/wire-problem.ts';
import { head, latin1 } from './wire-reader.ts';

interface Outcome {
  readonly kind: string;
  readonly problem?: WireProblem;
  readonly status?: number;
}

function request(text: string): Outcome {
  const parsed = parseRequestHead(latin1(text), { maxStartLineBytes: 64, maxHeadBytes: 256, maxFields: 4 });
  return parsed.kind === 'request' ? requestFraming(parsed) : parsed;
}

function response(text: string, upgrade = false): Outcome {
  const parsed = parseResponseHead(latin1(text));
  return parsed.kind === 'response' ? responseFraming(parsed, { method: 'GET', upgrade }) : parsed;
}

function chunked(body: string): Outcome {
  return new ChunkedScanner('request', { maxExtensionBytes: 8, maxTrailerBytes: 8 }).feed(latin1(body));
}

const EXAMPLES: Record<WireProblem, () => Outcome> = {
  'bare-cr': () => request('GET / HTTP/1.1\rHost: a\r\n\r\n'),
  'bare-lf': () => request('GET / HTTP/1.1\nHost: a\r\n\r\n'),
  'bad-method': () => request(head('G@T / HTTP/1.1', 'Host: a')),
  'bad-target': () => request(head('GET a/b HTTP/1.1', 'Host: a')),
  'bad-version': () => request(head('GET / HTTP/x', 'Host: a')),
  'unsupported-version': () => request(head('GET / HTTP/2.0', 'Host: a')),
  'bad-status': () => response(head('HTTP/1.1 20 OK')),
  'start-line-too-long': () => request(head(`GET /${'a'.repeat(64)} HTTP/1.1`, 'Host: a')),
  'head-too-large': () => request(head('GET / HTTP/1.1', `Host: ${'a'.repeat(256)}`)),
  'too-many-fields': () => request(head('GET / HTTP/1.1', 'Host: a', 'A: 1', 'B: 2', 'C: 3', 'D: 4')),
  'space-after-start-line': () => request('GET / HTTP/1.1\r\n Host: a\r\n\r\n'),
  'obs-fold': () => request(head('GET / HTTP/1.1', 'Host: a', ' b')),
  'space-before-colon': () => request(head('GET / HTTP/1.1', 'Host : a')),
  'bad-field-name': () => request(head('GET / HTTP/1.1', 'Host: a', '[x]: 1')),
  'bad-field-value': () => request(head('GET / HTTP/1.1', 'Host: a\u0000')),
  'missing-host': () => request(head('GET / HTTP/1.1')),
  'several-hosts': () => request(head('GET / HTTP/1.1', 'Host: a', 'Host: a')),
  'transfer-encoding-with-content-length': () => request(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Content-Length: 1')),
  'bad-content-length': () => request(head('POST / HTTP/1.1', 'Host: a', 'Content-Length: -1')),
  'content-lengths-differ': () => request(head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 1, 2')),
  'bad-transfer-encoding': () => request(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: "chunked"')),
  'chunked-not-final': () => request(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, gzip')),
  'chunked-twice': () => request(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, chunked')),
  'unknown-transfer-coding': () => request(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip, chunked')),
  'transfer-encoding-in-http10': () => request(head('POST / HTTP/1.0', 'Transfer-Encoding: chunked')),
  'content-in-connect': () => request(head('CONNECT a:443 HTTP/1.1', 'Content-Length: 1')),
  'unexpected-switch': () => response(head('HTTP/1.1 101 Switching Protocols', 'Upgrade: x')),
  'bad-chunk-size': () => chunked('x\r\n'),
  'chunk-size-too-large': () => chunked('ffffffffffffffffff\r\n'),
  'bad-chunk-extension': () => chunked('1;\u0000\r\n'),
  'chunk-extension-too-long': () => chunked('1;aaaaaaaaaaaa\r\n'),
  'missing-chunk-crlf': () => chunked('1\r\nxy'),
  'bad-trailer': () => chunked('0\r\n:\r\n'),
  'trailer-too-large': () => chunked('0\r\nX: 123456789\r\n'),
  'body-cut-short': () => {
    const scanner = new LengthScanner(1, 'request');
    return scanner.finish();
  },
};

describe('WIRE_PROBLEMS', () => {
  it.each(Object.keys(EXAMPLES) as WireProblem[])('%s is reached with its status', (problem) => {
    const outcome = EXAMPLES[problem]();
    const expected = ['bad-status', 'unexpected-switch'].includes(problem) ? 502 : WIRE_PROBLEMS[problem].status;
    expect(outcome).toMatchObject({ kind: 'error', problem, status: expected });
  });

  it('lists a client error or 5xx and a text for every problem', () => {
    for (const [problem, entry] of Object.entries(WIRE_PROBLEMS)) {
      expect([400, 414, 431, 501, 502, 505], problem).toContain(entry.status);
      expect(entry.text.length, problem).toBeGreaterThan(10);
    }
  });

  it('answers 502 for every problem with a response', () => {
    for (const problem of Object.keys(WIRE_PROBLEMS) as WireProblem[]) {
      expect(wireError(problem, 'response')).toMatchObject({ kind: 'error', problem, status: 502, reason: WIRE_PROBLEMS[problem].text });
    }
  });
});
