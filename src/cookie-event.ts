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
  /** Who sent the request: the client's `address:port`. */
  readonly client: string;
  /** When the worker saw the header, in milliseconds since the epoch. */
  readonly at: number;
}
