/**
 * A cookie seen on the wire, as a connection worker reports it. Plain data: it
 * crosses a thread boundary in batches and is the jar actor's input.
 */
export interface CookieEvent {
  /** `response`: one Set-Cookie line; `request`: the whole Cookie header of a request. */
  readonly source: 'response' | 'request';
  readonly scheme: 'http' | 'https';
  /** Lower-case host; punycode for IDNs; an IPv6 address without brackets. */
  readonly host: string;
  readonly port: number;
  /** The absolute URL of the request the header belongs to. */
  readonly url: string;
  /** One Set-Cookie value (`source: 'response'`) or a Cookie header value (`source: 'request'`). */
  readonly header: string;
  /**
   * Who sent the request: the client's `address:port` (an IPv6 address in
   * brackets: `[fd00::7]:51234`), or `user@address:port` when the proxy asks
   * for credentials (`--auth`): the proxy-auth user that names the device,
   * such as `pixel-7@192.168.1.23:51234`. Inside a CONNECT tunnel it is the
   * client of the CONNECT. A user name is letters, digits, `.`, `_`, `~` and
   * `-`, so the label splits unambiguously at its `@`.
   */
  readonly client: string;
  /** When the worker saw the header, in milliseconds since the epoch. */
  readonly at: number;
}
