/**
 * The jar actor's vocabulary: what it reports (changes, refusals, stats) and
 * what it is asked (filters). Plain data only, so that every value here can be
 * sent to a subscriber, over SSE or across a thread as it is.
 *
 *   CookieEvent ──▶ JarActor ──▶ CookieChange   (onChange: added / updated / deleted / expired)
 *                            └─▶ CookieRefusal  (onRefused: what a browser would not store, and why)
 */
import type { CookieOrigin, SerializedCookie } from '../store/jar-store.ts';
import type { CookieFilter } from '../store/read-jar.ts';

export type { CookieFilter, CookieOrigin, SerializedCookie };

/**
 * What caused a change:
 * - `response`: a Set-Cookie line of a proxied response;
 * - `request`: a pair in the Cookie header of a proxied request;
 * - `expiry`: the cookie's expiry time passed (RFC 6265 section 5.3: "The user
 *   agent MUST evict all expired cookies from the cookie store if, at any time,
 *   an expired cookie exists in the cookie store.");
 * - `api`: a call on the actor (`deleteCookies`, `setCookieFromApi`);
 * - `interceptor`: the browser extension reported the cookie (`applyBrowserCookies`);
 * - `cdp`: a browser attached over the DevTools protocol reported it (`applyBrowserCookies`).
 */
export type ChangeSource = 'response' | 'request' | 'expiry' | 'api' | 'interceptor' | 'cdp';

/**
 * - `added`: the jar did not hold a cookie with this (domain, path, name);
 * - `updated`: it did, and the value or an attribute (expiry included) differs;
 * - `deleted`: a Set-Cookie with `Max-Age<=0` or an `Expires` in the past, or the API, removed it;
 * - `expired`: its expiry time passed.
 */
export type ChangeType = 'added' | 'updated' | 'deleted' | 'expired';

export interface CookieChange {
  readonly type: ChangeType;
  /** The cookie as the jar holds it now; for `deleted` and `expired`, as it was held until then. */
  readonly cookie: SerializedCookie;
  /** For `updated` only: the cookie as it was held before. */
  readonly previous?: SerializedCookie;
  readonly source: ChangeSource;
  /** The URL of the request or response; null for `expiry` and for API calls made without one. */
  readonly url: string | null;
  /** The client (`address:port`) whose traffic carried the cookie; null for `expiry` and `api`. */
  readonly client: string | null;
  /** When the jar applied the change, by the actor's clock (ms since the epoch). */
  readonly at: number;
}

/**
 * Why the jar refused a cookie, in the order the checks run:
 * - `bad-url`: the event's URL is not an absolute http: or https: URL;
 * - `parse`: the Set-Cookie line, or a pair of the Cookie header, cannot be parsed;
 * - `too-large`: name and value together exceed 4096 bytes (RFC 6265bis, as Chromium);
 * - `public-suffix`: the Domain attribute is a public suffix (`com`, `co.uk`, `github.io`) other than the host itself;
 * - `domain-mismatch`: the request host does not domain-match the Domain attribute;
 * - `secure-from-insecure`: a Secure cookie from a plain-http origin other than loopback, or a cookie from
 *   such an origin that would overwrite or shadow a Secure cookie of the same name (RFC 6265bis, as Chromium);
 * - `prefix`: a `__Secure-` or `__Host-` name without the attributes the prefix promises;
 * - `samesite-none-insecure`: `SameSite=None` without `Secure` (Chromium since version 80);
 * - `rejected`: tough-cookie refused it for a reason the checks above did not foresee; `detail` has its message.
 */
export const REFUSAL_REASONS = [
  'bad-url',
  'parse',
  'too-large',
  'public-suffix',
  'domain-mismatch',
  'secure-from-insecure',
  'prefix',
  'samesite-none-insecure',
  'rejected',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface CookieRefusal {
  readonly reason: RefusalReason;
  /** For people: what exactly was wrong. */
  readonly detail: string;
  /** The Set-Cookie line or the whole Cookie header that carried the refused cookie. */
  readonly header: string;
  readonly url: string;
  /** The client (`address:port`); null for API calls. */
  readonly client: string | null;
  /** When the jar refused it, by the actor's clock. */
  readonly at: number;
}

/** `running` accepts messages; `closing` finishes what is queued and refuses new ones; `closed` is final. */
export type ActorStatus = 'running' | 'closing' | 'closed';

export interface JarStats {
  readonly status: ActorStatus;
  /** Cookies held now. */
  readonly cookies: number;
  /** Events taken from the mailbox and processed. */
  readonly events: number;
  /** Changes applied, by type (an event can make several: a Cookie header of many pairs). */
  readonly applied: Readonly<Record<ChangeType, number>>;
  /** Cookies that were valid but changed nothing (a Set-Cookie identical to what is held). */
  readonly unchanged: number;
  /**
   * Headers ignored because the jar had already applied something seen later
   * for the same cookie (events from different workers arrive out of order).
   */
  readonly stale: number;
  readonly refused: Readonly<Record<RefusalReason, number>>;
  readonly mailbox: {
    /** Messages waiting. */
    readonly size: number;
    readonly capacity: number;
    /** `tell` calls refused because the mailbox was full. */
    readonly refused: number;
    /** `tell` calls refused because the actor was closing or closed. */
    readonly refusedClosed: number;
  };
  readonly store: {
    /** Changed or deleted cookies not yet committed. */
    readonly pendingWrites: number;
    readonly commits: number;
    /** When the last successful commit finished, by the actor's clock; null before the first. */
    readonly lastCommitAt: number | null;
    /** Failed loads and commits since the actor opened. */
    readonly errors: number;
    /** The last failure's message, the store's own words included (`database or disk is full`); null before the first. */
    readonly lastError: string | null;
    /** When the last failure happened, by the actor's clock; null before the first. */
    readonly lastErrorAt: number | null;
    /**
     * When the current run of failed commits began; null while commits
     * succeed. While it is set, the jar serves from memory and `pendingWrites`
     * changes wait to be committed; they are retried, at most 5 s apart.
     */
    readonly failingSince: number | null;
  };
}
