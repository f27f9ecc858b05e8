import { JarsyncError } from '../errors.ts';
import { CookieKeyMap } from './cookie-key-map.ts';
import { keyOf, type JarCommit, type JarStore, type SerializedCookie, type StoredCookie } from './jar-store.ts';

export interface MemoryJarStoreOptions {
  /** Records the store starts with, as if loaded from disk. Defaults to none. */
  readonly records?: readonly StoredCookie[];
}

/**
 * A JarStore that keeps its records in memory: for tests, and for a
 * `--no-persist` mode where the jar lives as long as the process. Records are
 * copied in and out, so neither the actor nor a test can change what is stored
 * behind the store's back.
 */
export class MemoryJarStore implements JarStore {
  readonly #records = new CookieKeyMap<StoredCookie>();
  #closed = false;
  #commits = 0;

  constructor(options: MemoryJarStoreOptions = {}) {
    for (const record of options.records ?? []) this.#put(record);
  }

  /** How many batches have been committed. */
  get commits(): number {
    return this.#commits;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What is stored now, for assertions; copies. */
  records(): StoredCookie[] {
    return [...this.#records.values()].map(copyRecord);
  }

  load(): Promise<readonly StoredCookie[]> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.records());
  }

  commit(batch: JarCommit): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    // Validate the whole batch before touching anything, so a bad record leaves
    // the store as it was: the same all-or-nothing promise SQLite's transaction gives.
    const unkeyed = batch.upserts.find((record) => keyOf(record.cookie) === null);
    if (unkeyed !== undefined) return Promise.reject(unkeyedError(unkeyed));
    for (const key of batch.deletes) this.#records.delete(key.domain, key.path, key.name);
    for (const record of batch.upserts) this.#put(record);
    this.#commits += 1;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #put(record: StoredCookie): void {
    const key = keyOf(record.cookie);
    if (key === null) throw unkeyedError(record);
    this.#records.set(key.domain, key.path, key.name, copyRecord(record));
  }
}

/**
 * A deep copy of a record. A record is plain data whose only nested value is
 * the extensions array, so a spread copies it for a fraction of what
 * structuredClone costs (which was a tenth of an in-memory commit).
 */
function copyRecord(record: StoredCookie): StoredCookie {
  const { extensions } = record.cookie;
  const cookie: SerializedCookie = extensions === undefined ? { ...record.cookie } : { ...record.cookie, extensions: [...extensions] };
  return { cookie, origin: record.origin };
}

function unkeyedError(record: StoredCookie): JarsyncError {
  // Named, never shown whole: the record holds the cookie's value.
  return new JarsyncError('JARSYNC_ERR_STORE', `The record of the cookie ${JSON.stringify(record.cookie.key)} has no domain or path and cannot be stored.`);
}

function closedError(): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_STORE', 'The in-memory jar store is closed.');
}
