/**
 * Write-behind for the jar actor: which keys changed since the last commit,
 * and when and in what order they are written.
 *
 *   markDirty(key) ──▶ dirty keys ──(first change arms a timer: flushIntervalMs)──▶ commit()
 *                                                        flush(), close() ──────▶ commit()
 *   commit(): dirty keys ──current(key)──▶ { upserts, deletes } ──▶ JarStore.commit, one at a time, in order
 *             failed ──▶ keys back into dirty, onError, retry after a doubling delay (≤ 5 s)
 *
 * Whether a key is an upsert or a delete is read from the jar when the commit
 * starts, so a key that changed many times between commits is written once,
 * as it is now.
 */
import { JarsyncError } from '../errors.ts';
import { CookieKeyMap } from '../store/cookie-key-map.ts';
import type { CookieKey, JarStore, StoredCookie } from '../store/jar-store.ts';
import type { ActorTimers } from './actor-timers.ts';

export interface CommitBatcherOptions {
  readonly store: JarStore;
  readonly timers: ActorTimers;
  readonly now: () => number;
  /** The longest a change waits before its commit starts. */
  readonly flushIntervalMs: number;
  /** What the jar holds under `key` now: the record to write, or null to delete it. */
  readonly current: (key: CookieKey) => StoredCookie | null;
  /** Receives each failed commit as a `JARSYNC_ERR_STORE` error. */
  readonly onError: (error: JarsyncError) => void;
}

/** Retries after failed commits back off, doubling, up to this. */
const MAX_RETRY_DELAY_MS = 5000;

export class CommitBatcher {
  readonly #store: JarStore;
  readonly #timers: ActorTimers;
  readonly #now: () => number;
  readonly #flushIntervalMs: number;
  readonly #current: (key: CookieKey) => StoredCookie | null;
  readonly #onError: (error: JarsyncError) => void;
  /** Keys changed since the last commit. */
  #dirty = new CookieKeyMap<CookieKey>();
  #cancelTimer: (() => void) | null = null;
  #stopped = false;
  #tail: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #failures = 0;
  #failingSince: number | null = null;
  #commits = 0;
  #lastCommitAt: number | null = null;

  constructor(options: CommitBatcherOptions) {
    this.#store = options.store;
    this.#timers = options.timers;
    this.#now = options.now;
    this.#flushIntervalMs = options.flushIntervalMs;
    this.#current = options.current;
    this.#onError = options.onError;
  }

  /** Changed or deleted keys not yet committed (those of a commit under way included). */
  get pending(): number {
    return this.#dirty.size + this.#inFlight;
  }

  get commits(): number {
    return this.#commits;
  }

  /**
   * When the current run of failed commits began (the store's disk is full or
   * failing, say); null while commits succeed. The changes wait in memory
   * meanwhile, counted in `pending`, and are retried.
   */
  get failingSince(): number | null {
    return this.#failingSince;
  }

  /** When the last successful commit finished; null before the first. */
  get lastCommitAt(): number | null {
    return this.#lastCommitAt;
  }

  markDirty(key: CookieKey): void {
    this.#dirty.set(key.domain, key.path, key.name, key);
    if (this.#cancelTimer === null) this.#arm(this.#flushIntervalMs);
  }

  /**
   * Commits everything dirty now. Commits run one at a time, in order, so an
   * older batch can never land after a newer one. Rejects with
   * `JARSYNC_ERR_STORE` when this commit fails.
   */
  commit(): Promise<void> {
    const run = this.#tail.then(() => this.#commitOnce());
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** No timer fires again; commits still run when asked. */
  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  #arm(delay: number): void {
    if (this.#cancelTimer !== null || this.#stopped) return;
    this.#cancelTimer = this.#timers.setTimeout(() => {
      this.#cancelTimer = null;
      // A failure is reported through onError and retried; nobody awaits this one.
      this.commit().catch(() => undefined);
    }, delay);
  }

  async #commitOnce(): Promise<void> {
    if (this.#dirty.size === 0) return;
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    const batch = this.#dirty;
    this.#dirty = new CookieKeyMap();
    const upserts: StoredCookie[] = [];
    const deletes: CookieKey[] = [];
    for (const key of batch.values()) {
      const record = this.#current(key);
      // A plain key: what was marked may be a whole held cookie (it is a CookieKey too).
      if (record === null) deletes.push({ domain: key.domain, path: key.path, name: key.name });
      else upserts.push(record);
    }
    this.#inFlight = batch.size;
    try {
      await this.#store.commit({ upserts, deletes });
      this.#commits += 1;
      this.#lastCommitAt = this.#now();
      this.#failures = 0;
      this.#failingSince = null;
    } catch (error) {
      // Keep the batch for the next try, unless a newer change to the same key
      // is already waiting (the commit reads the current state anyway).
      for (const key of batch.values()) {
        if (this.#dirty.get(key.domain, key.path, key.name) === undefined) this.#dirty.set(key.domain, key.path, key.name, key);
      }
      this.#failures += 1;
      this.#failingSince ??= this.#now();
      const storeError = asStoreError(error, 'commit');
      this.#onError(storeError);
      this.#arm(Math.min(this.#flushIntervalMs * 2 ** (this.#failures - 1), MAX_RETRY_DELAY_MS));
      throw storeError;
    } finally {
      this.#inFlight = 0;
    }
  }
}

export function asStoreError(error: unknown, during: 'load' | 'commit' | 'close'): JarsyncError {
  if (error instanceof JarsyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new JarsyncError('JARSYNC_ERR_STORE', `The jar store failed during ${during}: ${message}`, { cause: error });
}
