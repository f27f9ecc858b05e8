/**
 * ProxySettings for a bare ConnectionPool in tests: the origin's CA trusted,
 * 5 s upstream timeouts, nothing protected; `clients` and the rest as given.
 */
import type { ProxySettings } from '../../src/workers/protocol.ts';
import { originCaPem } from './origin-tls.ts';

export function poolSettings(overrides: Partial<ProxySettings> = {}): ProxySettings {
  return {
    caCertPem: originCaPem,
    leafKeyPem: '',
    upstreamCaPems: [],
    insecureUpstream: false,
    resolve: [],
    upstreamConnectTimeoutMs: 5_000,
    upstreamResponseTimeoutMs: 5_000,
    idleTimeoutMs: 60_000,
    protectedPorts: [],
    eventBatchSize: 64,
    ...overrides,
  };
}
