/**
 * How a request's body is delimited (RFC 9112 §6.3), with every ambiguous
 * shape refused, since an origin that reads the same bytes differently would
 * see a second, smuggled request:
 *
 *   Transfer-Encoding?
 *     HTTP/1.0 ───────────────────────────────▶ 400 (RFC 9112 §6.1)
 *     with Content-Length ────────────────────▶ 400 (CL.TE, TE.CL)
 *     malformed or empty ─────────────────────▶ 400
 *     last coding not chunked ────────────────▶ 400 ("xchunked", "chunked, identity")
 *     chunked listed twice ───────────────────▶ 400
 *     another coding before chunked ──────────▶ 501 (the proxy decodes none)
 *     exactly chunked ────────────────────────▶ chunked
 *   Content-Length? valid, equal repeats ─────▶ length, else 400
 *   neither ──────────────────────────────────▶ no body (RFC 9112 §6.3 rule 6)
 *
 * A CONNECT has no content (RFC 9110 §9.3.6); one announcing some is refused.
 */
import type { RequestFraming } from './body-framing.ts';
import { CHUNKED, NO_BODY, lengthFraming } from './body-framing.ts';
import { contentLengthOf } from './content-length.ts';
import { FieldKind } from './field-kind.ts';
import { hasField } from './field-list.ts';
import type { RequestHead } from './parse-request-head.ts';
import { transferCodingsOf } from './transfer-codings.ts';
import type { WireError } from './wire-problem.ts';
import { wireError } from './wire-problem.ts';

export function requestFraming(head: RequestHead): RequestFraming | WireError {
  const { fields } = head;
  const hasLength = hasField(fields, FieldKind.ContentLength);
  if (hasField(fields, FieldKind.TransferEncoding)) {
    // RFC 9112 §6.1: "A server or client that receives an HTTP/1.0 message
    // containing a Transfer-Encoding header field MUST treat the message as if
    // the framing is faulty".
    if (head.version === '1.0') return wireError('transfer-encoding-in-http10', 'request');
    // RFC 9112 §6.3 rule 3: both "might indicate an attempt to perform request
    // smuggling … and ought to be handled as an error".
    if (hasLength) return wireError('transfer-encoding-with-content-length', 'request');
    if (head.method === 'CONNECT') return wireError('content-in-connect', 'request');
    const codings = transferCodingsOf(fields);
    if (codings === null || codings.count === 0) return wireError('bad-transfer-encoding', 'request');
    // RFC 9112 §6.3 rule 4: "If a Transfer-Encoding header field is present in
    // a request and the chunked transfer coding is not the final encoding, the
    // message body length cannot be determined reliably; the server MUST
    // respond with the 400 (Bad Request) status code".
    if (!codings.finalChunked) return wireError('chunked-not-final', 'request');
    // RFC 9112 §6.1: "A sender MUST NOT apply the chunked transfer coding more
    // than once to a message body".
    if (codings.chunked > 1) return wireError('chunked-twice', 'request');
    // RFC 9112 §6.1: "A server that receives a request message with a transfer
    // coding it does not understand SHOULD respond with 501 (Not Implemented)."
    if (codings.count > 1) return wireError('unknown-transfer-coding', 'request');
    return CHUNKED;
  }
  if (!hasLength) return NO_BODY;
  const length = contentLengthOf(fields);
  if (typeof length === 'string') return wireError(length, 'request');
  if (head.method === 'CONNECT' && length > 0) return wireError('content-in-connect', 'request');
  return lengthFraming(length);
}
