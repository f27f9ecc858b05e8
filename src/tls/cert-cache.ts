/**
 * Leaf certificates by host, in front of whatever mints them.
 *
 * - Single flight: the cache holds the mint's *promise*, so a burst of first
 *   handshakes for one host (a page opening 100 connections) mints once.
 * - Capped: an LRU of `max` hosts; the least recently asked-for host goes first.
 * - Renewed before expiry (stale while renewing): a leaf with less than
 *   `renewMarginMs` left is still served while its replacement is minted in the
 *   background, so no handshake waits for a renewal; a leaf already past its
 *   notAfter is never served, callers wait for the new one.
 * - Failures are not cached: a failed first mint leaves no entry (the next call
 *   mints again); a failed renewal keeps the old leaf, and the next call retries.
 *
 *   get(host) ─▶ no entry ────────────────────────▶ mint ─▶ entry { promise }
 *             ─▶ minting ─────────────────────────▶ the same promise (hit)
 *             ─▶ leaf, fresh ─────────────────────▶ the leaf (hit)
 *             ─▶ leaf, < renewMarginMs left ──────▶ the leaf (hit) + one background re-mint
 *             ─▶ leaf, expired ───────────────────▶ wait for the re-mint
 */
import { LRUCache } from 'lru-cache';
import { JarsyncError } from '../errors.ts';
import { CERT_CACHE_MAX_HOSTS, LEAF_RENEW_MARGIN_MS } from './cert-policy.ts';
import type { MintedLeaf } from './mint-leaf.ts';

export interface CertCacheOptions {
  /** Mints the leaf for a host; the host comes as the caller passed it to `get` (normalise before). */
  readonly mint: (host: string) => Promise<MintedLeaf>;
  /** Most hosts held; the least recently used is evicted first. Defaults to CERT_CACHE_MAX_HOSTS (10,000). */
  readonly max?: number;
  /** A leaf with less than this many ms left is re-minted. Defaults to LEAF_RENEW_MARGIN_MS (7 days). */
  readonly renewMarginMs?: number;
  /** The clock, ms since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
}

export interface CertCacheStats {
  /** Hosts held (minted or minting). */
  readonly size: number;
  /** Mints started: first mints and renewals. */
  readonly mints: number;
  /** Calls answered without starting a mint (a held leaf, or a mint already in flight). */
  readonly hits: number;
  /** Mints that failed. */
  readonly failures: number;
}

interface Entry {
  /** What a caller gets while this entry's leaf may be served. */
  current: Promise<MintedLeaf>;
  /** The leaf, once `current` has resolved. */
  leaf: MintedLeaf | null;
  /** A re-mint in flight. */
  renewal: Promise<MintedLeaf> | null;
}

export class CertCache {
  readonly #mint: (host: string) => Promise<MintedLeaf>;
  readonly #renewMarginMs: number;
  readonly #now: () => number;
  readonly #entries: LRUCache<string, Entry>;
  #mints = 0;
  #hits = 0;
  #failures = 0;

  constructor(options: CertCacheOptions) {
    const max = options.max ?? CERT_CACHE_MAX_HOSTS;
    const renewMarginMs = options.renewMarginMs ?? LEAF_RENEW_MARGIN_MS;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `The certificate cache size must be a positive integer, not ${String(max)}.`);
    }
    if (!Number.isFinite(renewMarginMs) || renewMarginMs < 0) {
      throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `The certificate renewal margin must be a non-negative number of ms, not ${String(renewMarginMs)}.`);
    }
    this.#mint = options.mint;
    this.#renewMarginMs = renewMarginMs;
    this.#now = options.now ?? Date.now;
    this.#entries = new LRUCache({ max });
  }

  /** The leaf for `host`, minted at most once per flight. Rejects with the mint's error. */
  get(host: string): Promise<MintedLeaf> {
    const entry = this.#entries.get(host);
    if (entry === undefined) return this.#mintNew(host);
    const { leaf } = entry;
    if (leaf === null) {
      this.#hits++;
      return entry.current;
    }
    const now = this.#now();
    if (now >= leaf.notAfter) {
      if (entry.renewal !== null) {
        this.#hits++;
        return entry.renewal;
      }
      return this.#renew(entry, host);
    }
    this.#hits++;
    if (entry.renewal === null && now >= leaf.notAfter - this.#renewMarginMs) {
      // Nobody awaits a background renewal: its failure is counted, and the next call retries.
      this.#renew(entry, host).catch(() => undefined);
    }
    return entry.current;
  }

  stats(): CertCacheStats {
    return { size: this.#entries.size, mints: this.#mints, hits: this.#hits, failures: this.#failures };
  }

  #mintNew(host: string): Promise<MintedLeaf> {
    const current = this.#start(host).then(
      (leaf) => {
        entry.leaf = leaf;
        return leaf;
      },
      (error: unknown) => {
        // peek, not get: dropping a failed entry must not count as a use.
        if (this.#entries.peek(host) === entry) this.#entries.delete(host);
        throw error;
      },
    );
    const entry: Entry = { current, leaf: null, renewal: null };
    this.#entries.set(host, entry);
    return current;
  }

  #renew(entry: Entry, host: string): Promise<MintedLeaf> {
    const renewal = this.#start(host).then(
      (leaf) => {
        entry.leaf = leaf;
        entry.current = Promise.resolve(leaf);
        entry.renewal = null;
        return leaf;
      },
      (error: unknown) => {
        entry.renewal = null;
        throw error;
      },
    );
    entry.renewal = renewal;
    return renewal;
  }

  #start(host: string): Promise<MintedLeaf> {
    this.#mints++;
    let minting: Promise<MintedLeaf>;
    try {
      minting = this.#mint(host);
    } catch (error) {
      minting = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return minting.catch((error: unknown) => {
      this.#failures++;
      throw error;
    });
  }
}
