/**
 * How a response's body is delimited (RFC 9112 §6.3), which depends on the
 * request it answers:
 *
 *   1xx ──── 101 to a request that asked to upgrade ─▶ tunnel
 *        ├── 101 otherwise ─────────────────────────▶ 502
 *        └── others (100, 103) ─────────────────────▶ interim: the final response follows
 *   to HEAD, 204, 304 ──────────────────────────────▶ none, whatever the fields say (rule 1)
 *   2xx to CONNECT ─────────────────────────────────▶ tunnel (rule 2)
 *   Transfer-Encoding (HTTP/1.0: 502)
 *     malformed or chunked twice ───────────────────▶ 502
 *     last coding chunked ──────────────────────────▶ chunked (rule 4; Content-Length ignored, rule 3)
 *     otherwise ────────────────────────────────────▶ close (rule 4)
 *   Content-Length valid, equal repeats ────────────▶ length, else 502 (rule 5)
 *   neither ────────────────────────────────────────▶ close (rule 8)
 *
 * A Content-Length next to Transfer-Encoding is not an error in a response:
 * RFC 9112 §6.3 rule 3 says "An intermediary that chooses to forward the
 * message MUST first remove the received Content-Length field and process the
 * Transfer-Encoding", which the response writer does.
 */
import type { BodyFraming } from './body-framing.ts';
import { CHUNKED, INTERIM, NO_BODY, TUNNEL, UNTIL_CLOSE, lengthFraming } from './body-framing.ts';
import { contentLengthOf } from './content-length.ts';
import { FieldKind } from './field-kind.ts';
import { hasField } from './field-list.ts';
import type { ResponseHead } from './parse-response-head.ts';
import { transferCodingsOf } from './transfer-codings.ts';
import type { WireError } from './wire-problem.ts';
import { wireError } from './wire-problem.ts';

/** What a response's framing depends on in the request it answers. */
export interface AnsweredRequest {
  readonly method: string;
  /** True when the request asked to switch protocols (Upgrade with `Connection: upgrade`). */
  readonly upgrade: boolean;
}

export function responseFraming(head: ResponseHead, request: AnsweredRequest): BodyFraming | WireError {
  const { status, fields } = head;
  if (status < 200) {
    // RFC 9110 §15.2.2: a server sends 101 only to a request with Upgrade.
    if (status === 101) return request.upgrade ? TUNNEL : wireError('unexpected-switch', 'response');
    return INTERIM;
  }
  // Rule 1: "Any response to a HEAD request and any response with a 1xx (Informational),
  // 204 (No Content), or 304 (Not Modified) status code is always terminated by the
  // first empty line after the header fields, regardless of the header fields present".
  if (request.method === 'HEAD' || status === 204 || status === 304) return NO_BODY;
  // Rule 2: "Any 2xx (Successful) response to a CONNECT request implies that the
  // connection will become a tunnel immediately after the empty line".
  if (request.method === 'CONNECT' && status < 300) return TUNNEL;
  if (hasField(fields, FieldKind.TransferEncoding)) {
    if (head.version === '1.0') return wireError('transfer-encoding-in-http10', 'response');
    const codings = transferCodingsOf(fields);
    if (codings === null) return wireError('bad-transfer-encoding', 'response');
    if (codings.chunked > 1) return wireError('chunked-twice', 'response');
    // Rule 4: "If a Transfer-Encoding header field is present in a response and
    // the chunked transfer coding is not the final encoding, the message body
    // length is determined by reading the connection until it is closed".
    return codings.finalChunked ? CHUNKED : UNTIL_CLOSE;
  }
  if (hasField(fields, FieldKind.ContentLength)) {
    const length = contentLengthOf(fields);
    return typeof length === 'string' ? wireError(length, 'response') : lengthFraming(length);
  }
  return UNTIL_CLOSE;
}
