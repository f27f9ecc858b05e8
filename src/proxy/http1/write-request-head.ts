/**
 * The head a proxy sends upstream for a request it read (RFC 9112 §3.2.2,
 * RFC 9110 §7.6), built into one Buffer:
 *
 *   METHOD SP path SP HTTP/1.x CRLF     origin-form, the path as the client wrote it
 *   Host: authority CRLF                when the target was absolute-form
 *   …received end-to-end fields…        as received; see forwarded-fields.ts
 *   Connection: keep-alive | close      the proxy's own choice for this hop
 *   …extra fields…
 *   CRLF
 *
 * The version is the client's: an HTTP/1.0 request goes on as HTTP/1.0. The
 * response body passes back in the origin's framing, and RFC 9112 §6.1 says
 * "A server MUST NOT send a response containing Transfer-Encoding unless the
 * corresponding request indicates HTTP/1.1": asking as HTTP/1.0 is what keeps
 * a chunked body from reaching a client that cannot read it.
 */
import type { RequestFraming } from './body-framing.ts';
import { connectionOptionsOf } from './connection-options.ts';
import { extraFields, forwardedFields } from './forwarded-fields.ts';
import { latin1Buffer } from './latin1-buffer.ts';
import type { RequestHead } from './parse-request-head.ts';

export interface RequestHeadOptions {
  /**
   * The request-target to send: the origin-form path (`/a?b`) of an
   * absolute-form target, or `*`. Defaults to the target as received, which is
   * right for an origin-form request inside a tunnel.
   */
  readonly path?: string;
  /**
   * Replace every Host field with one carrying this authority, sent first
   * (RFC 9112 §3.2.2: a proxy forwarding an absolute-form request "MUST ignore
   * the received Host header field (if any) and instead replace it with the
   * host information of the request-target"). Defaults to Host as received.
   */
  readonly host?: string;
  /** The Connection this proxy asks of the upstream connection. */
  readonly connection: 'keep-alive' | 'close';
  /**
   * A protocol switch is wanted (WebSocket): Upgrade goes on, and Connection
   * says `upgrade`. Defaults to false.
   */
  readonly upgrade?: boolean;
  /**
   * Drop Expect, when the proxy answers `100 Continue` itself. Defaults to
   * false: the origin's 100 passes back to the client.
   */
  readonly dropExpect?: boolean;
  /** Fields appended after the received ones, `[name, value…]`; the caller vouches for their bytes. Defaults to none. */
  readonly extra?: readonly string[];
}

export function writeRequestHead(head: RequestHead, framing: RequestFraming, options: RequestHeadOptions): Buffer {
  const upgrade = options.upgrade === true;
  const fields = forwardedFields(head.fields, {
    dropHost: options.host !== undefined,
    keepUpgrade: upgrade,
    dropExpect: options.dropExpect === true,
    connection: connectionOptionsOf(head.fields),
    framing,
  });
  const requestLine = `${head.method} ${options.path ?? head.target} HTTP/${head.version}\r\n`;
  const hostLine = options.host === undefined ? '' : `Host: ${options.host}\r\n`;
  const connection = upgrade ? (options.connection === 'close' ? 'upgrade, close' : 'upgrade') : options.connection;
  return latin1Buffer(`${requestLine}${hostLine}${fields}Connection: ${connection}\r\n${extraFields(options.extra)}\r\n`);
}
