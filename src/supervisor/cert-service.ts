/**
 * The supervisor's certificate service: connection workers ask it for the leaf
 * of a host (over comlink, as `CertService`), a CertCache answers from memory or
 * single-flights one mint, and the mint runs in a piscina pool so that no event
 * loop, the supervisor's included, ever spends its time building certificates.
 *
 *   worker ──leafFor(host)──▶ normalizeHost ──▶ CertCache ──miss──▶ piscina ──▶ workers/mint-task.ts
 *          ◀──LeafCertificate─────────────────────────────◀──────── MintedLeaf ◀┘
 *
 * A mint thread that dies (a crash, or `terminateThread`) is replaced by
 * piscina; the mint it was running is logged and tried once more on another.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { isErrorCode, JarsyncError, type SerializedError } from '../errors.ts';
import type { CertificateAuthority } from '../tls/ca.ts';
import { CertCache, type CertCacheStats } from '../tls/cert-cache.ts';
import { normalizeHost } from '../tls/host-name.ts';
import type { LeafKey } from '../tls/leaf-key.ts';
import { createLeafMinter } from '../tls/mint-leaf.ts';
import type { CertService, LeafCertificate, MintedLeaf, MintTask, MintWorkerData } from '../workers/protocol.ts';

/**
 * One mint thread per core, leaving one core for the supervisor (DESIGN.md
 * "Threads"): a mint is about a millisecond of CPU, so even one thread mints
 * hundreds of new hosts a second.
 */
export const MINT_POOL_MAX_THREADS = Math.max(1, availableParallelism() - 1);

/** One thread is kept warm so the first new host does not wait for a thread to start. */
export const MINT_POOL_MIN_THREADS = 1;

/** Threads above the minimum stay 30 s after their last mint: a page's burst of new hosts reuses them. */
const MINT_POOL_IDLE_TIMEOUT_MS = 30_000;

/** `close()` waits this long for mints in flight before the threads are terminated. */
const MINT_POOL_CLOSE_TIMEOUT_MS = 5_000;

const MINT_TASK_URL = new URL('../workers/mint-task.ts', import.meta.url);

export interface CertServiceOptions {
  /** The CA that signs every leaf (see `loadOrCreateCa`). */
  readonly ca: Pick<CertificateAuthority, 'certPem' | 'keyPem'>;
  /** The process-wide leaf key (see `createLeafKey`); only its public half reaches the mint threads. */
  readonly leafKey: Pick<LeafKey, 'publicKeyPem'>;
  /** Most hosts whose leaves are kept. Defaults to CERT_CACHE_MAX_HOSTS (10,000). */
  readonly maxHosts?: number;
  /** The clock, ms since the epoch, for validity windows and renewal. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Mint threads kept running. Defaults to MINT_POOL_MIN_THREADS (1). */
  readonly minThreads?: number;
  /** Most mint threads. Defaults to MINT_POOL_MAX_THREADS (cores − 1, at least 1). */
  readonly maxThreads?: number;
  /** Where a mint thread's death is reported. Defaults to nowhere. */
  readonly log?: (level: 'error', message: string) => void;
}

export interface CertServiceStats extends CertCacheStats {
  /** Mint threads running. */
  readonly threads: number;
  /** Mints waiting for a thread. */
  readonly queued: number;
}

export interface RunningCertService extends CertService {
  /** The leaf for `host` (normalised: lower case, no trailing dot). Rejects with JARSYNC_ERR_MINT, or JARSYNC_ERR_NOT_RUNNING after `close()`. */
  leafFor(host: string): Promise<LeafCertificate>;
  stats(): CertServiceStats;
  /** Refuses new requests, lets mints in flight finish (up to 5 s) and stops the mint threads. */
  close(): Promise<void>;
  /**
   * Ends one mint thread now, as a crash would (a fault drill): piscina starts
   * another, and a mint it was running is tried again. False when no thread runs.
   */
  terminateThread(): Promise<boolean>;
}

/** Starts the mint pool and the cache in front of it. Throws JARSYNC_ERR_MINT for a CA or leaf key that cannot mint, JARSYNC_ERR_BAD_OPTION for bad sizes. */
export function createCertService(options: CertServiceOptions): RunningCertService {
  const now = options.now ?? Date.now;
  const minThreads = options.minThreads ?? MINT_POOL_MIN_THREADS;
  const maxThreads = options.maxThreads ?? Math.max(MINT_POOL_MAX_THREADS, minThreads);
  if (!Number.isSafeInteger(minThreads) || minThreads < 0 || !Number.isSafeInteger(maxThreads) || maxThreads < Math.max(1, minThreads)) {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `Mint threads must satisfy 0 ≤ minThreads ≤ maxThreads, maxThreads ≥ 1 (got ${minThreads} and ${maxThreads}).`);
  }
  const workerData: MintWorkerData = {
    caCertPem: options.ca.certPem,
    caKeyPem: options.ca.keyPem,
    leafPublicKeyPem: options.leafKey.publicKeyPem,
  };
  // A CA or key the threads could not use is refused here, at start, not at the first handshake.
  createLeafMinter(workerData);

  let closing: Promise<void> | null = null;
  const log = options.log ?? (() => undefined);

  const mint = async (host: string): Promise<MintedLeaf> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await pool.run({ kind: 'mint', host, now: now() });
      } catch (error) {
        if (closing !== null) throw notRunning();
        // workers/mint-task.ts sends its error's code as a SerializedError in the cause.
        const crossed = error instanceof Error && isSerializedError(error.cause) ? error.cause : null;
        const reason = crossed?.message ?? (error instanceof Error ? error.message : String(error));
        if (crossed === null) {
          // Not the task's own failure: its thread died under it. Once more on
          // another thread; a host whose mint kills threads is not tried a third time.
          log('error', `a mint thread died while minting a certificate for ${host} (${reason}); piscina starts another${attempt === 1 ? ', and the mint is tried again' : ''}`);
          if (attempt === 1) continue;
        }
        throw new JarsyncError(crossed?.code ?? 'JARSYNC_ERR_MINT', `Could not mint a certificate for ${host}: ${reason}`, { cause: error });
      }
    }
  };
  // The cache checks maxHosts before any thread is started.
  const cache = new CertCache(options.maxHosts === undefined ? { mint, now } : { mint, now, max: options.maxHosts });
  const pool = new Piscina<MintTask, MintedLeaf>({
    filename: MINT_TASK_URL.href,
    workerData,
    minThreads,
    maxThreads,
    idleTimeout: MINT_POOL_IDLE_TIMEOUT_MS,
    closeTimeout: MINT_POOL_CLOSE_TIMEOUT_MS,
  });
  // piscina reports a thread that failed outside a task (an uncaught error while
  // idle) or a close that timed out as an 'error' event; unheard, it would crash
  // the supervisor. The thread is replaced; what failed is logged.
  pool.on('error', (error: unknown) => {
    log('error', `a mint thread failed: ${error instanceof Error ? error.message : String(error)}; piscina starts another`);
  });

  return {
    async leafFor(host) {
      if (closing !== null) throw notRunning();
      const name = normalizeHost(host);
      const leaf = await cache.get(name);
      return { host: name, certPem: leaf.certPem, notAfter: leaf.notAfter };
    },
    stats() {
      return { ...cache.stats(), threads: pool.threads.length, queued: pool.queueSize };
    },
    close() {
      closing ??= pool.close();
      return closing;
    },
    async terminateThread() {
      const [thread] = pool.threads;
      if (thread === undefined) return false;
      await thread.terminate();
      return true;
    },
  };
}

function isSerializedError(value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && isErrorCode((value as { code?: unknown }).code) && typeof (value as { message?: unknown }).message === 'string';
}

function notRunning(): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_NOT_RUNNING', 'The certificate service is closed.');
}
