/**
 * Where a checked cookie candidate enters the jar, as RFC 6265's storage model
 * (section 5.3, steps 7 to 11, with RFC 6265bis's "leave Secure cookies
 * alone") and tough-cookie's `setCookie` store it, and where every change and
 * refusal is counted and reported:
 *
 *   candidate ──▶ domain / host-only, path / default-path ──▶ Secure-overlay check ──▶ seen too late? ──▶ expiry
 *      ├─ expired: the held cookie is removed ─────────────────────────────────────▶ `deleted`
 *      ├─ same as held: nothing (a Cookie is not even made) ───────────────────────▶ unchanged
 *      └─ otherwise: a new tough-cookie Cookie (creation kept from the old one) ───▶ `added` / `updated`
 *   each change ──▶ HeldCookies, markDirty (the commit batcher), onChange
 */
import { Cookie } from 'tough-cookie';
import type { RequestTarget } from '../store/request-target.ts';
import type { CookieOrigin, CookieKey, SerializedCookie } from '../store/jar-store.ts';
import { checkSecureOverlay, expiryOf, type PolicyRefusal } from './browser-policy.ts';
import type { CookieCandidate } from './cookie-candidate.ts';
import {
  REFUSAL_REASONS,
  type ChangeSource,
  type ChangeType,
  type CookieChange,
  type CookieRefusal,
  type RefusalReason,
} from './cookie-change.ts';
import { makeHeld, type Held, type HeldCookies } from './held-cookies.ts';
import { maskCookieHeader, maskSetCookieLine } from './mask-cookie-values.ts';

/** What caused a change, for the CookieChange it produces. */
export interface Cause {
  readonly source: ChangeSource;
  readonly url: string | null;
  readonly client: string | null;
}

/**
 * A header being applied: a Set-Cookie line or a Cookie header. A
 * CookieEvent is one as it is (with a finite `at`), so an event is applied
 * without a copy.
 */
export interface Received extends Cause {
  readonly url: string;
  readonly header: string;
  /** When the header was seen, in ms: Max-Age counts from here, and it is the cookie's creation and last access. */
  readonly at: number;
}

/** What applying a cookie did. */
export type ApplyResult =
  | { readonly outcome: 'changed'; readonly change: CookieChange }
  | { readonly outcome: 'unchanged' }
  | { readonly outcome: 'refused'; readonly refusal: CookieRefusal };

export interface CookieWriterOptions {
  readonly held: HeldCookies;
  readonly now: () => number;
  /** A key changed and must be committed. */
  readonly markDirty: (key: CookieKey) => void;
  /** A cookie with a finite expiry is now held (the expiry timer may need aiming). */
  readonly onExpiry: (time: number) => void;
  readonly onChange: ((change: CookieChange) => void) | undefined;
  readonly onRefused: ((refusal: CookieRefusal) => void) | undefined;
}

const UNCHANGED: ApplyResult = Object.freeze({ outcome: 'unchanged' });

export class CookieWriter {
  readonly #held: HeldCookies;
  readonly #now: () => number;
  readonly #markDirty: (key: CookieKey) => void;
  readonly #onExpiry: (time: number) => void;
  readonly #onChange: ((change: CookieChange) => void) | undefined;
  readonly #onRefused: ((refusal: CookieRefusal) => void) | undefined;
  // Counters for the actor's stats().
  readonly applied: Record<ChangeType, number> = { added: 0, updated: 0, deleted: 0, expired: 0 };
  readonly refused = Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, 0])) as Record<RefusalReason, number>;
  unchanged = 0;
  /** Headers seen before what the jar already applied for their cookie, and so ignored. */
  stale = 0;

  constructor(options: CookieWriterOptions) {
    this.#held = options.held;
    this.#now = options.now;
    this.#markDirty = options.markDirty;
    this.#onExpiry = options.onExpiry;
    this.#onChange = options.onChange;
    this.#onRefused = options.onRefused;
  }

  /**
   * Stores a candidate that passed judgeSetCookie. `domain` is the canonical
   * Domain attribute, or null for a host-only cookie (none, or one that RFC
   * 6265 section 5.3 step 5 dropped).
   */
  write(candidate: CookieCandidate, domain: string | null, target: RequestTarget, origin: CookieOrigin, received: Received): ApplyResult {
    const hostOnly = domain === null;
    const cookieDomain = domain ?? target.host;
    // RFC 6265 section 5.3 step 7 (and tough-cookie): a missing or relative Path gets the default-path.
    const given = candidate.path?.startsWith('/') === true ? candidate.path : null;
    const pathIsDefault = given === null;
    const path = given ?? target.defaultPath;
    if (!candidate.secure && !target.secure) {
      const overlay = checkSecureOverlay(candidate, cookieDomain, path, target, this.#held.secureRelated(candidate.key, cookieDomain));
      if (overlay !== null) return this.refuse(overlay, received);
    }
    const expiry = expiryOf(candidate, received.at);
    const previous = this.#held.get(cookieDomain, path, candidate.key);
    // Latest wins by when a header was seen, not by when it arrives: batches
    // from different workers, or a request sent just before the response that
    // changed its cookie, can reach the jar out of order.
    if (
      previous === undefined
        ? this.#held.deletedAfter(cookieDomain, path, candidate.key, received.at) ||
          (origin === 'request' && this.#held.carriesDeletedValue(cookieDomain, path, candidate.key, received.at, candidate.value))
        : received.at < previous.seenAt
    ) {
      this.stale += 1;
      return UNCHANGED;
    }
    if (Math.max(expiry, 0) <= this.#now()) {
      // RFC 6265 section 5.3 evicts expired cookies "at any time": a line that
      // expires a cookie (Max-Age=0, a past Expires) deletes it at once.
      if (previous === undefined) {
        this.unchanged += 1;
        return UNCHANGED;
      }
      return this.remove(previous, 'deleted', received, received.at);
    }
    if (previous !== undefined && isSameCookie(previous.cookie, candidate, hostOnly, pathIsDefault, expiry)) {
      previous.seenAt = received.at;
      // Nothing a reader can see changes; a request-side cookie confirmed by a
      // Set-Cookie still needs its new origin written.
      if (previous.origin !== origin) {
        const confirmed = makeHeld(previous.cookie, origin, previous.json, received.at);
        this.#held.put(confirmed);
        this.#markDirty(confirmed);
      }
      this.unchanged += 1;
      return UNCHANGED;
    }
    const at = this.#dateAt(received.at);
    const cookie = new Cookie({
      key: candidate.key,
      value: candidate.value,
      // An absolute expiry and no Max-Age: tough-cookie would count Max-Age from lastAccessed (see SerializedCookie).
      expires: expiry === Infinity ? 'Infinity' : new Date(expiry),
      domain: cookieDomain,
      path,
      secure: candidate.secure,
      httpOnly: candidate.httpOnly,
      extensions: candidate.extensions === null ? null : [...candidate.extensions],
      hostOnly,
      pathIsDefault: pathIsDefault ? true : null,
      creation: at,
      lastAccessed: at,
      ...(candidate.sameSite === undefined ? {} : { sameSite: candidate.sameSite }),
    });
    if (previous !== undefined) {
      // RFC 6265 section 5.3 step 11.3: the new cookie keeps the old one's creation-time.
      cookie.creation = previous.cookie.creation;
      cookie.creationIndex = previous.cookie.creationIndex;
    }
    const held = makeHeld(cookie, origin, undefined, received.at);
    this.#held.put(held);
    this.#markDirty(held);
    if (held.expiresAt !== Infinity) this.#onExpiry(held.expiresAt);
    return this.#emit(previous === undefined ? 'added' : 'updated', held.json, previous?.json, received);
  }

  /** Holds a cookie loaded from the store, as it is. */
  adopt(held: Held): void {
    this.#held.put(held);
    if (held.expiresAt !== Infinity) this.#onExpiry(held.expiresAt);
  }

  /** Removes a held cookie and reports it; `at` is when what removed it was seen. */
  remove(held: Held, type: 'deleted' | 'expired', cause: Cause, at: number = this.#now()): ApplyResult {
    this.#held.remove(held);
    this.#held.tombstone(held, at, held.cookie.value);
    this.#markDirty(held);
    return this.#emit(type, held.json, undefined, cause);
  }

  /** Reports a stored record that expired while the jar was closed (never held), and deletes it. */
  expiredRecord(json: SerializedCookie, key: CookieKey, cause: Cause): void {
    this.#markDirty(key);
    this.#emit('expired', json, undefined, cause);
  }

  /**
   * Reports a refused cookie. The header in the report has its values masked:
   * a refusal is for finding out why, which the name and attributes tell, and
   * the value of a cookie the jar did not take must not turn up elsewhere (a
   * dashboard, a log) in its place.
   */
  refuse(refusal: PolicyRefusal, received: Received): ApplyResult {
    this.refused[refusal.reason] += 1;
    const report: CookieRefusal = {
      reason: refusal.reason,
      detail: refusal.detail,
      header: received.source === 'request' ? maskCookieHeader(received.header) : maskSetCookieLine(received.header),
      url: received.url,
      client: received.client,
      at: this.#now(),
    };
    notify(this.#onRefused, report);
    return { outcome: 'refused', refusal: report };
  }

  // The Date of the last receive time: a burst of events shares its millisecond,
  // and the jar never changes a Date in place (nor does tough-cookie), so
  // cookies stored in the same millisecond can share one.
  #lastDate = new Date(Number.NaN);

  #dateAt(ms: number): Date {
    if (this.#lastDate.getTime() !== ms) this.#lastDate = new Date(ms);
    return this.#lastDate;
  }

  #emit(type: ChangeType, cookie: SerializedCookie, previous: SerializedCookie | undefined, cause: Cause): ApplyResult {
    this.applied[type] += 1;
    const at = this.#now();
    const { source, url, client } = cause;
    const change: CookieChange =
      previous === undefined ? { type, cookie, source, url, client, at } : { type, cookie, source, url, client, at, previous };
    notify(this.#onChange, change);
    return { outcome: 'changed', change };
  }
}

/**
 * Whether storing the candidate would change nothing a reader can see: the
 * same value and attributes (expiry included) as the held cookie. `creation`
 * and `lastAccessed` are bookkeeping and do not count. A held cookie with a
 * Max-Age (from a record another writer made) always counts as different,
 * since the jar would store it with an absolute expiry instead.
 */
function isSameCookie(held: Cookie, candidate: CookieCandidate, hostOnly: boolean, pathIsDefault: boolean, expiry: number): boolean {
  const heldExpiry = held.expires instanceof Date ? held.expires.getTime() : Infinity;
  return (
    held.value === candidate.value &&
    heldExpiry === expiry &&
    held.maxAge === null &&
    held.secure === candidate.secure &&
    held.httpOnly === candidate.httpOnly &&
    held.hostOnly === hostOnly &&
    held.pathIsDefault === (pathIsDefault ? true : null) &&
    held.sameSite === candidate.sameSite &&
    sameExtensions(held.extensions, candidate.extensions)
  );
}

function sameExtensions(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((extension, index) => extension === b[index]);
}

/** Calls a listener; what it throws is rethrown on a fresh microtask, once the jar's state is consistent. */
export function notify<T>(listener: ((value: T) => void) | undefined, value: T): void {
  if (listener === undefined) return;
  try {
    listener(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
