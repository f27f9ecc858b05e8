/**
 * The cookies a jar holds, by RFC 6265's identity (domain, path, name):
 * tough-cookie Cookies, each with what its holder tracks beside it, in a
 * CookieKeyMap, the shape tough-cookie's MemoryCookieStore gives its index.
 *
 *   domain ──▶ path ──▶ name ──▶ entry { cookie: tough-cookie Cookie, expiresAt, … }
 *
 * The jar actor and ReadJar read it synchronously and directly. The
 * MemoryCookieStore itself answers every call through a callback and a
 * promise made for it, and lists a domain's cookies only by also walking its
 * parent domains through the public suffix list; here a lookup by key is three
 * map reads and a domain's cookies are one.
 */
import type { Cookie } from 'tough-cookie';
import { CookieKeyMap } from './cookie-key-map.ts';

/**
 * What the index holds: a cookie, and beside it what deciding whether to send
 * it reads, so that a query touches the entry alone (on a jar larger than the
 * CPU's caches, each object read is a likely cache miss).
 */
export interface IndexedCookie {
  readonly cookie: Cookie;
  /** Absolute expiry in ms since the epoch; Infinity for a session cookie. */
  readonly expiresAt: number;
  /** The cookie's host-only flag (null in tough-cookie counts as false, as its getCookies counts it). */
  readonly hostOnly: boolean;
  readonly secure: boolean;
}

/** An entry for a cookie, with `expiresAt` as given. */
export function indexedCookie(cookie: Cookie, expiresAt: number): IndexedCookie {
  return { cookie, expiresAt, hostOnly: cookie.hostOnly === true, secure: cookie.secure };
}

export class CookieIndex<T extends IndexedCookie> {
  readonly #entries = new CookieKeyMap<T>();

  get size(): number {
    return this.#entries.size;
  }

  get(domain: string, path: string, name: string): T | undefined {
    return this.#entries.get(domain, path, name);
  }

  /** Holds `entry` under its cookie's (domain, path, key); returns the entry it replaces. */
  set(entry: T): T | undefined {
    const { domain, path, key } = entry.cookie;
    if (domain === null || path === null) throw new Error('an indexed cookie needs a domain and a path');
    return this.#entries.set(domain, path, key, entry);
  }

  /** Removes what is held under (domain, path, name); returns it. */
  delete(domain: string, path: string, name: string): T | undefined {
    return this.#entries.delete(domain, path, name);
  }

  /** Whether `entry` is what the index holds under its key (and not an older entry for it). */
  holds(entry: T): boolean {
    const { domain, path, key } = entry.cookie;
    return domain !== null && path !== null && this.#entries.get(domain, path, key) === entry;
  }

  /** The cookies stored under exactly this domain: path ──▶ name ──▶ entry. */
  domain(domain: string): ReadonlyMap<string, ReadonlyMap<string, T>> | undefined {
    return this.#entries.domain(domain);
  }

  /** Every entry, in no particular order. */
  values(): IterableIterator<T> {
    return this.#entries.values();
  }
}
