import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { LookupFunction } from 'node:net';
import type { ProxySettings } from '../workers/protocol.ts';
import { createLookup } from './host-resolver.ts';

/**
 * Free upstream sockets are closed after this long unused. Origins commonly close
 * idle keep-alive connections after 5–75 s; a reused socket the origin has just
 * closed is retried once for idempotent requests (see forward-request.ts).
 */
export const UPSTREAM_IDLE_MS = 30_000;

/** Most idle keep-alive sockets kept per origin. */
export const UPSTREAM_MAX_FREE_PER_ORIGIN = 256;

/**
 * Most bytes of an origin's response head. Chromium refuses a response head
 * over 256 KiB (ERR_RESPONSE_HEADERS_TOO_BIG, net/http/http_stream_parser.cc,
 * kMaxHeaderBufSize): whatever a browser accepts passes, however many
 * Set-Cookie lines it holds, and anything larger is answered 502 rather than
 * parsed. The count of header lines is not capped (Node's default, 2000 raw
 * entries, would drop Set-Cookie lines silently): this size bounds it.
 */
export const UPSTREAM_MAX_HEADER_SIZE = 256 * 1024;

/** The pooled keep-alive agents a worker forwards through, one per scheme. */
export interface UpstreamAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  readonly lookup: LookupFunction;
  /** The TLS options used for connections that bypass the pool (upgrades). */
  readonly tlsOptions: Readonly<Pick<tls.ConnectionOptions, 'secureContext' | 'rejectUnauthorized'>>;
  destroy(): void;
}

export function createUpstreamAgents(settings: ProxySettings): UpstreamAgents {
  const lookup = createLookup(settings.resolve);
  // Extra roots go in one SecureContext built once, on top of the default set
  // (which includes NODE_EXTRA_CA_CERTS). Not as a `ca` option: the https agent
  // makes every option of that kind part of its per-request pool key, and a
  // key holding ~270 PEM certificates (400 KB) cost more than the request.
  const secureContext =
    settings.upstreamCaPems.length > 0 ? tls.createSecureContext({ ca: [...tls.getCACertificates('default'), ...settings.upstreamCaPems] }) : undefined;
  const tlsOptions = { ...(secureContext === undefined ? {} : { secureContext }), rejectUnauthorized: !settings.insecureUpstream };
  const common = {
    keepAlive: true,
    maxFreeSockets: UPSTREAM_MAX_FREE_PER_ORIGIN,
    scheduling: 'lifo' as const,
    timeout: UPSTREAM_IDLE_MS,
  };
  const httpAgent = new http.Agent(common);
  const httpsAgent = new https.Agent({ ...common, ...tlsOptions });
  return {
    http: httpAgent,
    https: httpsAgent,
    lookup,
    tlsOptions,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
