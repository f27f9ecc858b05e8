/**
 * How a tough-cookie Cookie becomes a stored record and back:
 *
 *   Cookie ──toSerialized──▶ SerializedCookie (JSON: changes, commits)
 *   StoredCookie[] ──loadRecords──▶ live Cookies (creation order) + expired + unreadable
 */
import { Cookie } from 'tough-cookie';
import type { CookieOrigin, SerializedCookie, StoredCookie } from './jar-store.ts';

/**
 * tough-cookie's JSON form (`Cookie.toJSON()`), field for field, with two
 * differences: `key` and `value` are always present (toJSON leaves an empty
 * value out, and SerializedCookie promises both), and it is several times
 * faster (toJSON compares every Date with "Infinity" through the Date's string
 * form). `Cookie.fromJSON` reads it back.
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

/** The records a jar is built from, sorted out. */
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
  // Cookies are made in creation order, so their creationIndex breaks ties in that order too.
  const sorted = [...records].sort((a, b) => creationTime(a.cookie) - creationTime(b.cookie));
  for (const record of sorted) {
    const cookie = Cookie.fromJSON(record.cookie);
    if (cookie === undefined || cookie.domain === null || cookie.path === null || !hasValidDates(cookie)) unreadable.push(record);
    else if (expiryTime(cookie) <= now) expired.push(record);
    else live.push({ cookie, origin: record.origin });
  }
  return { live, expired, unreadable };
}

/**
 * Whether every date of a rebuilt cookie is a real one. `Cookie.fromJSON`
 * turns a date it cannot read (a record another program wrote) into an
 * Invalid Date, which has no expiry to compare and throws when serialised.
 */
function hasValidDates(cookie: Cookie): boolean {
  return [cookie.expires, cookie.creation, cookie.lastAccessed].every((date) => !(date instanceof Date) || Number.isFinite(date.getTime()));
}

/**
 * `Date#toISOString` for a time in ms, remembered in a small direct-mapped
 * table: a burst of events shares its receive times and its Expires dates,
 * and the conversion was a tenth of the cost of an event.
 */
export function isoTime(ms: number): string {
  const slot = Math.abs(ms % ISO_SLOTS);
  if (isoTimes[slot] === ms) return isoStrings[slot] ?? new Date(ms).toISOString();
  const iso = new Date(ms).toISOString();
  isoTimes[slot] = ms;
  isoStrings[slot] = iso;
  return iso;
}

/**
 * A prime: times a whole number of seconds, hours or days apart (a receive
 * time and the 400-day cap after it) fall into different slots, which they
 * would not with a power of two.
 */
const ISO_SLOTS = 1021;
const isoTimes = new Float64Array(ISO_SLOTS).fill(Number.NaN);
const isoStrings: (string | undefined)[] = new Array<string | undefined>(ISO_SLOTS);

function isoOrInfinity(date: Date | 'Infinity' | null): string | undefined {
  if (date === null) return undefined;
  if (date === 'Infinity') return 'Infinity';
  const ms = date.getTime();
  // An invalid Date throws in toISOString, as it does in Cookie.toJSON.
  return Number.isFinite(ms) ? isoTime(ms) : date.toISOString();
}

function creationTime(cookie: SerializedCookie): number {
  const time = cookie.creation === undefined ? NaN : Date.parse(cookie.creation);
  return Number.isNaN(time) ? 0 : time;
}
