/**
 * The jar's persistence boundary. The jar actor is the only writer; it reads
 * everything once when it opens and then writes only what changed, in batches:
 *
 *   JarActor.open ──load()────────────────────────▶ JarStore ──▶ SQLite file, memory, (Redis later)
 *   every flush   ──commit({ upserts, deletes })──▶
 *   close()       ──close()───────────────────────▶
 *
 * A store keeps records keyed by (domain, path, name), which is RFC 6265's
 * identity of a cookie (section 5.3, step 11: "If the cookie store contains a
 * cookie with the same name, domain, and path as the newly created cookie …
 * Remove the old-cookie from the cookie store."). Every method returns a
 * promise so that a networked store can implement the same interface.
 */

/**
 * A cookie in tough-cookie's JSON form (`Cookie.toJSON()`), narrowed to the
 * fields tough-cookie 6 writes. A field is absent when it holds tough-cookie's
 * default (not Secure, not HttpOnly, no expiry, …).
 *
 * The jar stores an absolute `expires` and never a `maxAge`: RFC 6265 section
 * 5.2.2 turns Max-Age into an expiry-time when the cookie is received ("let
 * the expiry-time be the current date and time plus delta-seconds seconds"),
 * whereas tough-cookie would count it from `lastAccessed`, which moves on
 * every read.
 */
export interface SerializedCookie {
  /** The cookie's name. */
  readonly key: string;
  readonly value: string;
  /** ISO 8601; absent for a session cookie. */
  readonly expires?: string;
  /** Seconds; only in records written by something other than the jar actor. */
  readonly maxAge?: number | 'Infinity' | '-Infinity';
  /** Canonical (lower-case, punycode) host or domain, without a leading dot. */
  readonly domain?: string;
  readonly path?: string;
  readonly secure?: boolean;
  readonly httpOnly?: boolean;
  /** Attributes tough-cookie keeps but does not interpret (`Partitioned`, `Priority=High`). */
  readonly extensions?: readonly string[];
  /** True when the Set-Cookie had no Domain attribute: sent to `domain` only, not its subdomains. */
  readonly hostOnly?: boolean;
  /** True when the Set-Cookie had no Path attribute and the path came from the request URL. */
  readonly pathIsDefault?: boolean;
  /** ISO 8601: when the cookie was first stored (kept across updates, as RFC 6265 5.3 step 11 asks). */
  readonly creation?: string;
  readonly lastAccessed?: string;
  /** `strict`, `lax` or `none`, lower case. */
  readonly sameSite?: string;
}

/**
 * How the jar learnt a cookie: from a Set-Cookie line (`set-cookie`, all its
 * attributes known, including cookies set through the API) or from a pair in a
 * request's Cookie header (`request`, nothing known but name and value).
 */
export type CookieOrigin = 'set-cookie' | 'request';

/** One stored cookie. */
export interface StoredCookie {
  readonly cookie: SerializedCookie;
  readonly origin: CookieOrigin;
}

/** The identity of a stored cookie. */
export interface CookieKey {
  readonly domain: string;
  readonly path: string;
  readonly name: string;
}

/** One batch of writes, applied atomically: either all of it is stored or none of it. */
export interface JarCommit {
  /** Cookies to insert or replace, by their (domain, path, name). */
  readonly upserts: readonly StoredCookie[];
  /** Cookies to remove; a key that is not stored is not an error. */
  readonly deletes: readonly CookieKey[];
}

export interface JarStore {
  /** Every stored record, expired ones included (the reader decides what to skip). */
  load(): Promise<readonly StoredCookie[]>;
  /** Applies one batch atomically. Rejects with `JARSYNC_ERR_STORE`, having stored nothing of the batch. */
  commit(batch: JarCommit): Promise<void>;
  /** Releases the store; later calls reject. Calling it twice is harmless. */
  close(): Promise<void>;
}

/** The key of a serialized cookie; a cookie without a domain or path has none (it was never stored). */
export function keyOf(cookie: SerializedCookie): CookieKey | null {
  if (cookie.domain === undefined || cookie.path === undefined) return null;
  return { domain: cookie.domain, path: cookie.path, name: cookie.key };
}

/**
 * A string that identifies a key, for maps. JSON keeps it unambiguous whatever
 * characters a path or name holds.
 */
export function keyIdentity(key: CookieKey): string {
  return JSON.stringify([key.domain, key.path, key.name]);
}
