/**
 * How the body of a message is delimited (RFC 9112 §6.3), decided from its head
 * by `requestFraming` and `responseFraming`, and followed by a BodyScanner.
 *
 * - `none`: no body; the next message starts right after the head.
 * - `length`: exactly `length` bytes (Content-Length).
 * - `chunked`: a chunked body, passed on in its own framing.
 * - `close`: the body runs until the origin closes the connection (responses only).
 * - `tunnel`: after the head the connection carries another protocol (a 2xx to
 *   CONNECT, a 101 Switching Protocols); its bytes are no longer HTTP/1.1.
 * - `interim`: a 1xx other than 101; no body, and the final response follows.
 */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' }
  | { readonly kind: 'tunnel' }
  | { readonly kind: 'interim' };

/** What a request can carry: it always ends by itself (RFC 9112 §6.3, rule 6). */
export type RequestFraming = Extract<BodyFraming, { readonly kind: 'none' | 'length' | 'chunked' }>;

export const NO_BODY: BodyFraming & { readonly kind: 'none' } = Object.freeze({ kind: 'none' });
export const CHUNKED: BodyFraming & { readonly kind: 'chunked' } = Object.freeze({ kind: 'chunked' });
export const UNTIL_CLOSE: BodyFraming = Object.freeze({ kind: 'close' });
export const TUNNEL: BodyFraming = Object.freeze({ kind: 'tunnel' });
export const INTERIM: BodyFraming = Object.freeze({ kind: 'interim' });

export function lengthFraming(length: number): BodyFraming & { readonly kind: 'length' } {
  return { kind: 'length', length };
}
