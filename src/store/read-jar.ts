/**
 * The jar as a browser would query it, built from a store's records. Two users
 * share this file, so that they answer the same question the same way:
 *
 *   SqliteJarStore (read-only) ──load()──▶ ReadJar ──▶ `jarsync cookies`, while the proxy runs
 *   JarActor (the only writer) ──────────▶ createCookieJar / loadRecords / selectCookies
 *
 * The view is a tough-cookie CookieJar over a MemoryCookieStore; this file
 * holds its one configuration, how stored records enter it, and how a filter
 * selects from it.
 */
import { isIP } from 'node:net';
import { Cookie, CookieJar, MemoryCookieStore, canonicalDomain } from 'tough-cookie';
import { JarsyncError } from '../errors.ts';
import { toCookieHeader } from '../formats/cookie-header.ts';
import type { CookieKey, CookieOrigin, JarStore, SerializedCookie, StoredCookie } from './jar-store.ts';

/** Which cookies a query returns. Both fields together select what both select. */
export interface CookieFilter {
  /**
   * An absolute http: or https: URL: the cookies a browser would send with a
   * request to it (RFC 6265 section 5.4: host-only cookies to their host only,
   * domain cookies to the domain and its subdomains, path-match, Secure only to
   * a secure context), HttpOnly ones included since the question is asked for
   * HTTP. In the order the Cookie header lists them: longer paths first, then
   * older first.
   */
  readonly url?: string;
  /** A domain: every cookie whose domain is this one or under it, whatever its path, Secure or not. */
  readonly domain?: string;
}

/** The queries both the actor and ReadJar answer. */
export interface JarQueries {
  /** The cookies a filter selects (all of them without one); never expired ones. */
  cookies(filter?: CookieFilter): Promise<SerializedCookie[]>;
  /** The Cookie header a browser would send to `url`; empty when none. */
  cookieHeader(url: string): Promise<string>;
}

/** A filter checked once and made canonical. */
export interface ValidFilter {
  readonly url: URL | null;
  readonly domain: string | null;
}

/** A tough-cookie jar and the store behind it, which the actor edits directly. */
export interface CookieView {
  readonly jar: CookieJar;
  readonly store: MemoryCookieStore;
}

/**
 * The one CookieJar configuration. Every field is spelled out, not left to
 * tough-cookie's defaults, because each one is a decision:
 * - `rejectPublicSuffixes`: a cookie for `com` or `github.io` is refused;
 * - `allowSpecialUseDomain`: `localhost` and names under `.test` work as hosts, as they do in browsers;
 * - `allowSecureOnLocal`: loopback counts as a secure context (Chromium does; see browser-policy's isSecureContext);
 * - `enforceSecureOriginOnStorage`: a Secure cookie from a plain-http origin is refused;
 * - `prefixSecurity: 'strict'`: a bad `__Host-`/`__Secure-` cookie is an error, not silently dropped;
 * - `looseMode: false`: a line without `=` or with an empty name is not a cookie.
 */
export function createCookieJar(): CookieView {
  const store = new MemoryCookieStore();
  const jar = new CookieJar(store, {
    rejectPublicSuffixes: true,
    allowSpecialUseDomain: true,
    allowSecureOnLocal: true,
    enforceSecureOriginOnStorage: true,
    prefixSecurity: 'strict',
    looseMode: false,
  });
  return { jar, store };
}

/** The records a view is built from, sorted out. */
export interface LoadedRecords {
  /** Cookies to hold, in creation order (RFC 6265 section 5.4 orders equal paths by creation). */
  readonly live: readonly { readonly cookie: Cookie; readonly origin: CookieOrigin }[];
  /** Records whose expiry has passed: not held; the actor deletes them from the store. */
  readonly expired: readonly StoredCookie[];
  /** Records tough-cookie cannot rebuild a cookie from: not held, reported, left in the store. */
  readonly unreadable: readonly StoredCookie[];
}

export function loadRecords(records: readonly StoredCookie[], now: number): LoadedRecords {
  const live: { cookie: Cookie; origin: CookieOrigin }[] = [];
  const expired: StoredCookie[] = [];
  const unreadable: StoredCookie[] = [];
  const sorted = [...records].sort((a, b) => creationTime(a.cookie) - creationTime(b.cookie));
  for (const record of sorted) {
    const cookie = Cookie.fromJSON(record.cookie);
    if (cookie === undefined || cookie.domain === null || cookie.path === null) unreadable.push(record);
    else if (expiryTime(cookie) <= now) expired.push(record);
    else live.push({ cookie, origin: record.origin });
  }
  return { live, expired, unreadable };
}

/**
 * When a stored cookie expires, in ms since the epoch; Infinity for a session
 * cookie. The jar stores absolute `expires` only; a `maxAge` (from a record
 * another writer made) counts from the cookie's creation, the time it was
 * received, as RFC 6265 section 5.2.2 does.
 */
export function expiryTime(cookie: Cookie): number {
  const maxAge = cookie.maxAge;
  if (typeof maxAge === 'number') {
    const created = cookie.creation instanceof Date ? cookie.creation.getTime() : 0;
    return maxAge <= 0 ? -Infinity : created + maxAge * 1000;
  }
  if (maxAge === '-Infinity') return -Infinity;
  return cookie.expires instanceof Date ? cookie.expires.getTime() : Infinity;
}

/** Checks a filter; throws `JARSYNC_ERR_BAD_URL` or `JARSYNC_ERR_BAD_DOMAIN`. */
export function validateFilter(filter: CookieFilter): ValidFilter {
  return {
    url: filter.url === undefined ? null : parseHttpUrl(filter.url),
    domain: filter.domain === undefined ? null : canonicalFilterDomain(filter.domain),
  };
}

/** An absolute http: or https: URL, or `JARSYNC_ERR_BAD_URL`. */
export function parseHttpUrl(text: string): URL {
  const url = URL.parse(text);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new JarsyncError('JARSYNC_ERR_BAD_URL', `Not an absolute http: or https: URL: ${JSON.stringify(text)}`);
  }
  return url;
}

/** The cookies `filter` selects that have not expired by `now` (see CookieFilter for the order). */
export function selectCookies(view: CookieView, filter: ValidFilter, now: number): Cookie[] {
  // expire: false keeps tough-cookie from judging expiry by its own Date.now()
  // and deleting behind the actor's back; the injected clock decides here.
  const candidates = filter.url === null ? allCookies(view.store) : view.jar.getCookiesSync(filter.url.href, { http: true, expire: false, sort: true });
  const domain = filter.domain;
  return candidates.filter(
    (cookie) =>
      expiryTime(cookie) > now &&
      (domain === null || (cookie.domain !== null && (cookie.domain === domain || cookie.domain.endsWith(`.${domain}`)))),
  );
}

/** Every cookie of a view, in creation order. */
export function allCookies(store: MemoryCookieStore): Cookie[] {
  let result: Cookie[] = [];
  callSynchronously('getAllCookies', (done) => {
    store.getAllCookies((error: Error | null, cookies?: Cookie[]) => {
      result = cookies ?? [];
      done(error);
    });
  });
  return result;
}

/**
 * tough-cookie's JSON form (`Cookie.toJSON()`), field for field, with two
 * differences: `key` and `value` are always present (toJSON leaves an empty
 * value out, and SerializedCookie promises both), and it is several times
 * faster (toJSON compares every Date with "Infinity" through the Date's string
 * form, which was a third of the actor's time). `Cookie.fromJSON` reads it back.
 */
export function toSerialized(cookie: Cookie): SerializedCookie {
  const json: { -readonly [Field in keyof SerializedCookie]: SerializedCookie[Field] } = { key: cookie.key, value: cookie.value };
  const expires = isoOrInfinity(cookie.expires);
  if (expires !== undefined && expires !== 'Infinity') json.expires = expires;
  if (cookie.maxAge !== null) json.maxAge = cookie.maxAge;
  if (cookie.domain !== null) json.domain = cookie.domain;
  if (cookie.path !== null) json.path = cookie.path;
  if (cookie.secure) json.secure = true;
  if (cookie.httpOnly) json.httpOnly = true;
  if (cookie.extensions !== null) json.extensions = [...cookie.extensions];
  if (cookie.hostOnly !== null) json.hostOnly = cookie.hostOnly;
  if (cookie.pathIsDefault !== null) json.pathIsDefault = cookie.pathIsDefault;
  const creation = isoOrInfinity(cookie.creation);
  if (creation !== undefined) json.creation = creation;
  const lastAccessed = isoOrInfinity(cookie.lastAccessed);
  if (lastAccessed !== undefined) json.lastAccessed = lastAccessed;
  if (cookie.sameSite !== undefined) json.sameSite = cookie.sameSite;
  return json;
}

function isoOrInfinity(date: Date | 'Infinity' | null): string | undefined {
  if (date === null) return undefined;
  return date === 'Infinity' ? 'Infinity' : date.toISOString();
}

export interface ReadJarOptions {
  /** The clock that decides what has expired, in ms since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * A read-only jar for the CLI: the store's records at one moment, without the
 * expired ones, answering the queries the actor answers with the same code.
 */
export class ReadJar implements JarQueries {
  readonly #view: CookieView;
  readonly #now: () => number;

  private constructor(view: CookieView, now: () => number) {
    this.#view = view;
    this.#now = now;
  }

  /** Reads every record of `store` once; the store can be closed afterwards. */
  static async open(store: JarStore, options: ReadJarOptions = {}): Promise<ReadJar> {
    return ReadJar.fromRecords(await store.load(), options);
  }

  static fromRecords(records: readonly StoredCookie[], options: ReadJarOptions = {}): ReadJar {
    const now = options.now ?? Date.now;
    const view = createCookieJar();
    for (const { cookie } of loadRecords(records, now()).live) putCookie(view.store, cookie);
    return new ReadJar(view, now);
  }

  /** Cookies held, expired ones included until a query skips them. */
  get size(): number {
    return allCookies(this.#view.store).length;
  }

  cookies(filter: CookieFilter = {}): Promise<SerializedCookie[]> {
    // Inside the executor, a bad filter becomes a rejection rather than a throw.
    return new Promise((resolve) => {
      resolve(selectCookies(this.#view, validateFilter(filter), this.#now()).map(toSerialized));
    });
  }

  cookieHeader(url: string): Promise<string> {
    return this.cookies({ url }).then(toCookieHeader);
  }
}

/** Puts a cookie into a MemoryCookieStore, replacing one with the same (domain, path, name). */
export function putCookie(store: MemoryCookieStore, cookie: Cookie): void {
  callSynchronously('putCookie', (done) => {
    store.putCookie(cookie, done);
  });
}

/** Removes the cookie with this (domain, path, name) from a MemoryCookieStore. */
export function removeCookie(store: MemoryCookieStore, key: CookieKey): void {
  callSynchronously('removeCookie', (done) => {
    store.removeCookie(key.domain, key.path, key.name, done);
  });
}

/**
 * MemoryCookieStore answers its callbacks before returning (tough-cookie's own
 * *Sync methods rely on it); this turns such a call into a plain one, and
 * fails loudly if it ever stops being synchronous.
 */
function callSynchronously(name: string, call: (done: (error: Error | null) => void) => void): void {
  const outcome: { error?: Error | null } = {};
  call((error) => {
    outcome.error = error;
  });
  if (outcome.error === undefined) throw new Error(`MemoryCookieStore.${name} did not answer synchronously`);
  if (outcome.error !== null) throw outcome.error;
}

function canonicalFilterDomain(text: string): string {
  // The same leniency as the domain list: case, a leading "." or "*.", a
  // trailing dot and IPv6 brackets do not matter.
  let domain = text.trim().replace(/^\*\./, '').replace(/\.$/, '');
  if (domain.startsWith('[') && domain.endsWith(']')) domain = domain.slice(1, -1);
  const canonical = domain === '' ? undefined : canonicalDomain(domain);
  if (canonical !== undefined && (isIP(canonical) !== 0 || HOST_NAME.test(canonical))) return canonical;
  throw new JarsyncError('JARSYNC_ERR_BAD_DOMAIN', `Not a host name or IP address: ${JSON.stringify(text)}`);
}

/** Labels of letters, digits, hyphens and underscores (some real host names have them), dot-separated. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function creationTime(cookie: SerializedCookie): number {
  const time = cookie.creation === undefined ? NaN : Date.parse(cookie.creation);
  return Number.isNaN(time) ? 0 : time;
}
