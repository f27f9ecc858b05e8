/**
 * What the codec's refusals (http1/wire-problem.ts) become on the wire: the
 * answer a client gets for bytes it sent, and the failure a client gets for
 * bytes an origin sent.
 *
 *   request head over --max-header-size (head or request line) ─▶ 431 JARSYNC_ERR_HEADERS_TOO_LARGE
 *   more field lines than the codec takes ─────────────────────▶ 431 JARSYNC_ERR_HEADERS_TOO_LARGE
 *   an HTTP version other than 1.x ────────────────────────────▶ 400 JARSYNC_ERR_BAD_CLIENT_REQUEST
 *   anything else a client sent ───────────────────────────────▶ the codec's status (400, 501)
 *                                                                JARSYNC_ERR_BAD_CLIENT_REQUEST
 *   anything an origin sent ───────────────────────────────────▶ 502 JARSYNC_ERR_UPSTREAM_BAD_RESPONSE
 */
import type { ClientAnswer } from '../client-answer.ts';
import { headersTooLarge } from '../client-answer.ts';
import type { UpstreamFailure } from '../upstream-failure.ts';
import type { WireError } from '../http1/wire-problem.ts';

/**
 * The answer to a request the codec refused. `--max-header-size` is one limit
 * for the request line and the fields together (the engine gives the codec
 * that size for both), so a line or a head over it gets the same 431.
 */
export function requestRefusal(error: WireError, maxHeaderSize: number, maxFields: number): ClientAnswer {
  switch (error.problem) {
    case 'head-too-large':
    case 'start-line-too-long':
      return headersTooLarge(maxHeaderSize);
    case 'too-many-fields':
      return { status: 431, code: 'JARSYNC_ERR_HEADERS_TOO_LARGE', text: `jarsync: the request has more than ${maxFields} header field lines` };
    case 'unsupported-version':
      // 400, not the codec's 505: what clients of the node:http engine got,
      // and all an HTTP/2 preface sent to an HTTP/1.1 port needs to hear.
      return { ...malformedRequest(error), status: 400 };
    default:
      return malformedRequest(error);
  }
}

/** The answer to a request whose head or body the codec refused for its bytes (not its size). */
export function malformedRequest(error: WireError): ClientAnswer {
  return { status: error.status, code: 'JARSYNC_ERR_BAD_CLIENT_REQUEST', text: `jarsync: malformed request (${error.problem}: ${error.reason})` };
}

/**
 * RFC 9112 §6.3: a response a proxy cannot frame is refused with 502, the
 * connection to the origin closed; the same for a head it cannot read.
 */
export function badResponse(error: WireError, authority: string): UpstreamFailure {
  return {
    status: 502,
    code: 'JARSYNC_ERR_UPSTREAM_BAD_RESPONSE',
    text: `${authority} sent a response that cannot be parsed (${error.problem}): ${error.reason}`,
  };
}
