/**
 * The head a proxy sends back for a response it read (RFC 9112 §4, RFC 9110
 * §7.6), built into one Buffer:
 *
 *   HTTP/1.1 SP status SP reason CRLF   the proxy's own version (RFC 9110 §2.5:
 *                                        intermediaries "MUST send their own
 *                                        HTTP-version in forwarded messages");
 *                                        status and reason as received
 *   …received end-to-end fields…        as received; see forwarded-fields.ts
 *   Connection: …                       the proxy's choice (see below)
 *   …extra fields…
 *   CRLF
 *
 * Connection: `close` whenever the body runs until the origin closes (the
 * client can find its end only by the close), `upgrade` for a 101, nothing for
 * an interim 1xx or a tunnel's 2xx, else what the proxy decided.
 */
import type { BodyFraming } from './body-framing.ts';
import { connectionOptionsOf } from './connection-options.ts';
import { extraFields, forwardedFields } from './forwarded-fields.ts';
import { latin1Buffer } from './latin1-buffer.ts';
import type { ResponseHead } from './parse-response-head.ts';

export interface ResponseHeadOptions {
  /** Whether the client connection stays open after this response, when the framing lets it. */
  readonly connection: 'keep-alive' | 'close';
  /** Fields appended after the received ones, `[name, value…]`; the caller vouches for their bytes. Defaults to none. */
  readonly extra?: readonly string[];
}

function connectionFor(head: ResponseHead, framing: BodyFraming, options: ResponseHeadOptions): string | null {
  switch (framing.kind) {
    case 'close':
      return 'close';
    case 'interim':
      return null;
    case 'tunnel':
      return head.status === 101 ? 'upgrade' : null;
    default:
      return options.connection;
  }
}

export function writeResponseHead(head: ResponseHead, framing: BodyFraming, options: ResponseHeadOptions): Buffer {
  const fields = forwardedFields(head.fields, {
    dropHost: false,
    keepUpgrade: framing.kind === 'tunnel' && head.status === 101,
    dropExpect: false,
    connection: connectionOptionsOf(head.fields),
    framing,
  });
  const connection = connectionFor(head, framing, options);
  const connectionLine = connection === null ? '' : `Connection: ${connection}\r\n`;
  return latin1Buffer(`HTTP/1.1 ${head.status} ${head.reason}\r\n${fields}${connectionLine}${extraFields(options.extra)}\r\n`);
}
