/**
 * How the client reaches one origin host through one contender, and the
 * request it sends there: the same bytes for every contender but the
 * request-target, which a proxy needs in absolute form for plain HTTP.
 *
 *   plain, direct        TCP origin            GET /path            Host: h:port
 *   plain, via a proxy   TCP proxy             GET http://h:port/path
 *   https, direct        TCP origin, TLS (SNI h)                     GET /path
 *   https, via a proxy   TCP proxy, CONNECT h:port, TLS (SNI h)      GET /path
 */
import tls from 'node:tls';
import type { RunningContender } from '../contenders/contender.ts';
import type { Origin } from '../origin/origin.ts';

export type Scheme = 'http' | 'https';

export interface ConnectionTarget {
  /** Where TCP connects: the proxy, or the origin itself. */
  readonly host: string;
  readonly port: number;
  /** The authority a CONNECT asks for first; null: no tunnel. */
  readonly connect: string | null;
  /** TLS after the tunnel (SNI and verified roots); null for plain HTTP. */
  readonly tls: { readonly servername: string; readonly context: tls.SecureContext } | null;
  /** The bytes of one GET, keep-alive. */
  readonly request: Buffer;
  /** The same GET asking the server to close after it (new-connection runs). */
  readonly closingRequest: Buffer;
}

const contexts = new WeakMap<readonly string[], tls.SecureContext>();

/** One secure context per set of roots: building one per connection would cost the client more than the handshake. */
function contextFor(ca: readonly string[]): tls.SecureContext {
  let context = contexts.get(ca);
  if (context === undefined) {
    context = tls.createSecureContext({ ca: [...ca] });
    contexts.set(ca, context);
  }
  return context;
}

export function connectionTarget(contender: RunningContender, origin: Origin, scheme: Scheme, host: string, path = '/'): ConnectionTarget {
  const port = scheme === 'https' ? origin.httpsPort : origin.httpPort;
  const authority = `${host}:${port}`;
  const viaProxy = contender.proxy !== null;
  const requestTarget = viaProxy && scheme === 'http' ? `http://${authority}${path}` : path;
  const head = `GET ${requestTarget} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: jarsync-bench\r\nAccept: */*\r\n`;
  return {
    host: contender.proxy?.host ?? '127.0.0.1',
    port: contender.proxy?.port ?? port,
    connect: viaProxy && scheme === 'https' ? authority : null,
    tls: scheme === 'https' ? { servername: host, context: contextFor(contender.caPems) } : null,
    request: Buffer.from(`${head}\r\n`),
    closingRequest: Buffer.from(`${head}Connection: close\r\n\r\n`),
  };
}
