import tls from 'node:tls';
import { LRUCache } from 'lru-cache';
import type { CertService, LeafCertificate } from '../workers/protocol.ts';

export interface SecureContextCacheOptions {
  readonly certs: CertService;
  readonly leafKeyPem: string;
  readonly caCertPem: string;
  /** Most hosts whose TLS context a worker keeps. Defaults to 2,000. */
  readonly max?: number;
  /**
   * Ask the certificate service again this long before a certificate ends; it
   * re-mints ahead of expiry, so the answer is a fresh one. Defaults to 1 day.
   */
  readonly refreshBeforeMs?: number;
  /** Clock, ms since the epoch. Defaults to Date.now. */
  readonly now?: () => number;
}

interface Entry {
  readonly context: Promise<tls.SecureContext>;
  notAfter: number;
}

/**
 * A connection worker's TLS contexts, one per host: built once from the leaf
 * certificate the supervisor's certificate service hands out (never per
 * handshake), cached with the promise so that a burst of first handshakes to a
 * host asks the service once.
 */
export class SecureContextCache {
  readonly #certs: CertService;
  readonly #key: string;
  readonly #ca: string;
  readonly #refreshBeforeMs: number;
  readonly #now: () => number;
  readonly #entries: LRUCache<string, Entry>;

  constructor(options: SecureContextCacheOptions) {
    this.#certs = options.certs;
    this.#key = options.leafKeyPem;
    this.#ca = options.caCertPem;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 24 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
    this.#entries = new LRUCache({ max: options.max ?? 2000 });
  }

  get size(): number {
    return this.#entries.size;
  }

  get(host: string): Promise<tls.SecureContext> {
    const hit = this.#entries.get(host);
    if (hit !== undefined && hit.notAfter - this.#refreshBeforeMs > this.#now()) return hit.context;
    const context: Promise<tls.SecureContext> = this.#certs.leafFor(host).then(
      (leaf: LeafCertificate) => {
        const entry = this.#entries.get(host);
        if (entry?.context === context) entry.notAfter = leaf.notAfter;
        return tls.createSecureContext({ key: this.#key, cert: `${leaf.certPem.trimEnd()}\n${this.#ca}` });
      },
      (error: unknown) => {
        // A failure is not remembered: the next handshake asks again.
        if (this.#entries.get(host)?.context === context) this.#entries.delete(host);
        throw error;
      },
    );
    this.#entries.set(host, { context, notAfter: Number.POSITIVE_INFINITY });
    return context;
  }
}
