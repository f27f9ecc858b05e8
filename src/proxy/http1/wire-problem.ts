/**
 * Every way the HTTP/1.1 codec refuses bytes, in one table: a stable name that
 * tests and callers match on, the status a server answers a client with, and a
 * short text for people (it may go out as the body of that answer).
 *
 * The statuses are those of a request read from a client. A response read from
 * an origin is refused with 502 whatever its problem: RFC 9112 §6.3 "If it is a
 * response message received by a proxy, the proxy MUST close the connection to
 * the server, discard the received response, and send a 502 (Bad Gateway)
 * response to the client", and the same holds for any head the proxy cannot read.
 */
export const WIRE_PROBLEMS = {
  'bare-cr': { status: 400, text: 'a CR not followed by LF (RFC 9112 §2.2)' },
  'bare-lf': { status: 400, text: 'a line ended by LF without CR; only CRLF ends a line here' },
  'bad-method': { status: 400, text: 'the method is not a token (RFC 9112 §3.1)' },
  'bad-target': { status: 400, text: 'the request-target is malformed or does not fit the method (RFC 9112 §3.2)' },
  'bad-version': { status: 400, text: 'the HTTP-version is not HTTP/DIGIT.DIGIT (RFC 9112 §2.3)' },
  'unsupported-version': { status: 505, text: 'only HTTP/1.0 and HTTP/1.1 are spoken here' },
  'bad-status': { status: 502, text: 'the status line is not HTTP-version SP 3DIGIT [SP reason-phrase] (RFC 9112 §4)' },
  'start-line-too-long': { status: 414, text: 'the request line is longer than the limit (RFC 9112 §3)' },
  'head-too-large': { status: 431, text: 'the header section is larger than the limit' },
  'too-many-fields': { status: 431, text: 'the header section has more field lines than the limit' },
  'space-after-start-line': { status: 400, text: 'whitespace between the start line and the first field (RFC 9112 §2.2)' },
  'obs-fold': { status: 400, text: 'a field line folded onto the next (obs-fold, RFC 9112 §5.2)' },
  'space-before-colon': { status: 400, text: 'whitespace between a field name and its colon (RFC 9112 §5.1)' },
  'bad-field-name': { status: 400, text: 'a field name is empty, not a token, or not followed by a colon (RFC 9110 §5.1)' },
  'bad-field-value': { status: 400, text: 'a field value holds NUL, DEL or another control character (RFC 9110 §5.5)' },
  'missing-host': { status: 400, text: 'an HTTP/1.1 request without Host (RFC 9112 §3.2)' },
  'several-hosts': { status: 400, text: 'a request with more than one Host field line (RFC 9112 §3.2)' },
  'transfer-encoding-with-content-length': {
    status: 400,
    text: 'Transfer-Encoding and Content-Length together, a request smuggling shape (RFC 9112 §6.3)',
  },
  'bad-content-length': { status: 400, text: 'Content-Length is not a decimal number the proxy can hold (RFC 9110 §8.6)' },
  'content-lengths-differ': { status: 400, text: 'several Content-Length values that differ (RFC 9112 §6.3)' },
  'bad-transfer-encoding': { status: 400, text: 'Transfer-Encoding is not a list of transfer codings (RFC 9112 §6.1)' },
  'chunked-not-final': { status: 400, text: 'the final transfer coding of a request is not chunked (RFC 9112 §6.3)' },
  'chunked-twice': { status: 400, text: 'chunked applied more than once (RFC 9112 §6.1)' },
  'unknown-transfer-coding': { status: 501, text: 'a transfer coding other than chunked (RFC 9112 §6.1)' },
  'transfer-encoding-in-http10': { status: 400, text: 'Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1)' },
  'content-in-connect': { status: 400, text: 'a CONNECT request announcing content (RFC 9110 §9.3.6)' },
  'unexpected-switch': { status: 502, text: 'a 101 (Switching Protocols) to a request that asked for no upgrade (RFC 9110 §15.2.2)' },
  'bad-chunk-size': { status: 400, text: 'a chunk-size line is not 1*HEXDIG [chunk-ext] CRLF (RFC 9112 §7.1)' },
  'chunk-size-too-large': { status: 400, text: 'a chunk-size beyond what the proxy can count (RFC 9112 §7.1)' },
  'bad-chunk-extension': { status: 400, text: 'a chunk extension holds a control character (RFC 9112 §7.1.1)' },
  'chunk-extension-too-long': { status: 400, text: 'the chunk extensions of one chunk are longer than the limit' },
  'missing-chunk-crlf': { status: 400, text: 'chunk data not followed by CRLF (RFC 9112 §7.1)' },
  'bad-trailer': { status: 400, text: 'a trailer field line is malformed (RFC 9112 §7.1.2)' },
  'trailer-too-large': { status: 400, text: 'the trailer section is larger than the limit' },
  'body-cut-short': { status: 400, text: 'the connection ended before the body did' },
} as const satisfies Record<string, { readonly status: number; readonly text: string }>;

export type WireProblem = keyof typeof WIRE_PROBLEMS;

/** Which way the bytes go: a request from a client, or a response from an origin. */
export type Side = 'request' | 'response';

/** The status a proxy answers with when an origin's response is unreadable. */
export const BAD_GATEWAY = 502;

/** Bytes the codec refuses. Plain data: it can be posted across threads as it is. */
export interface WireError {
  readonly kind: 'error';
  readonly problem: WireProblem;
  /** The status to answer the client with (502 for anything read from an origin). */
  readonly status: number;
  readonly reason: string;
}

export function wireError(problem: WireProblem, side: Side): WireError {
  const entry = WIRE_PROBLEMS[problem];
  return { kind: 'error', problem, status: side === 'request' ? entry.status : BAD_GATEWAY, reason: entry.text };
}
