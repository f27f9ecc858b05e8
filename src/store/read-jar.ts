/**
 * The jar as the CLI reads it while the proxy may be writing it: a store's
 * records at one moment, answering the queries the actor answers, with the
 * same code (cookie-query.ts):
 *
 *   SqliteJarStore (read-only) ──load()──▶ ReadJar ──▶ `jarsync cookies`
 */
import { toCookieHeader } from '../formats/cookie-header.ts';
import { CookieIndex, indexedCookie, type IndexedCookie } from './cookie-index.ts';
import { selectCookies, validateFilter, type CookieFilter, type JarQueries } from './cookie-query.ts';
import { expiryTime, loadRecords, toSerialized } from './cookie-records.ts';
import type { JarStore, SerializedCookie, StoredCookie } from './jar-store.ts';

// What the CLI, the admin API and the actor's vocabulary import from here.
export { parseHttpUrl, validateFilter, type CookieFilter, type JarQueries, type ValidFilter } from './cookie-query.ts';
export { expiryTime, loadRecords, toSerialized, type LoadedRecords } from './cookie-records.ts';

export interface ReadJarOptions {
  /** The clock that decides what has expired, in ms since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * A read-only jar for the CLI: the store's records at one moment, without the
 * expired ones, answering the queries the actor answers with the same code.
 */
export class ReadJar implements JarQueries {
  readonly #index: CookieIndex<IndexedCookie>;
  readonly #now: () => number;

  private constructor(index: CookieIndex<IndexedCookie>, now: () => number) {
    this.#index = index;
    this.#now = now;
  }

  /** Reads every record of `store` once; the store can be closed afterwards. */
  static async open(store: JarStore, options: ReadJarOptions = {}): Promise<ReadJar> {
    return ReadJar.fromRecords(await store.load(), options);
  }

  static fromRecords(records: readonly StoredCookie[], options: ReadJarOptions = {}): ReadJar {
    const now = options.now ?? Date.now;
    const index = new CookieIndex<IndexedCookie>();
    for (const { cookie } of loadRecords(records, now()).live) index.set(indexedCookie(cookie, expiryTime(cookie)));
    return new ReadJar(index, now);
  }

  /** Cookies held, expired ones included until a query skips them. */
  get size(): number {
    return this.#index.size;
  }

  cookies(filter: CookieFilter = {}): Promise<SerializedCookie[]> {
    // Inside the executor, a bad filter becomes a rejection rather than a throw.
    return new Promise((resolve) => {
      resolve(selectCookies(this.#index, validateFilter(filter), this.#now()).map((entry) => toSerialized(entry.cookie)));
    });
  }

  cookieHeader(url: string): Promise<string> {
    return this.cookies({ url }).then(toCookieHeader);
  }
}
