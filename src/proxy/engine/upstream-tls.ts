/**
 * How a worker verifies origins over TLS: one SecureContext, built once per
 * worker, holding Node's default roots (NODE_EXTRA_CA_CERTS included) and the
 * `--ca-file` roots. Never a context per connection: building one from ~270
 * roots costs more than the request it would serve.
 */
import tls from 'node:tls';
import type { ProxySettings } from '../../workers/protocol.ts';

export interface UpstreamTls {
  readonly secureContext: tls.SecureContext;
  /** False only with `--insecure-upstream`. */
  readonly rejectUnauthorized: boolean;
}

export function upstreamTls(settings: Pick<ProxySettings, 'upstreamCaPems' | 'insecureUpstream'>): UpstreamTls {
  const secureContext =
    settings.upstreamCaPems.length > 0
      ? tls.createSecureContext({ ca: [...tls.getCACertificates('default'), ...settings.upstreamCaPems] })
      : tls.createSecureContext();
  return { secureContext, rejectUnauthorized: !settings.insecureUpstream };
}
