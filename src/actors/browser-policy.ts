/**
 * What a browser refuses to store, checked before the jar stores a cookie.
 * Pure functions of a cookie candidate, the request it came with and (for
 * one rule) the Secure cookies the jar holds; each returns a refusal (reason
 * and detail) or null.
 *
 * tough-cookie 6 makes some of these checks in its CookieJar (public suffix,
 * domain match, Secure from an insecure origin, prefixes in `strict` mode) but
 * reports them as message-only errors; the jar makes them here to report a
 * stable reason. The others tough-cookie does not make at all: SameSite=None
 * without Secure, the 4096-byte limit, case-insensitive prefixes, the 400-day
 * cap on expiry, and leaving Secure cookies alone. (The 1024-byte limit on an
 * attribute value is applied while parsing; see parse-set-cookie.ts.)
 */
import { canonicalDomain, domainMatch, getPublicSuffix, pathMatch, type Cookie } from 'tough-cookie';
import { isSecureContext } from '../store/request-target.ts';
import type { CookieCandidate } from './cookie-candidate.ts';
import type { RefusalReason } from './cookie-change.ts';

export { isSecureContext };

/** RFC 6265bis, section 5.6, step 6 of parsing a set-cookie-string (Chromium enforces the same). */
export const MAX_NAME_VALUE_BYTES = 4096;

/**
 * RFC 6265bis (draft 14 on, and Chromium since version 104): "The limit SHOULD
 * NOT be greater than 400 days (34560000 seconds) in duration. … Max-Age
 * attributes that are greater than the limit MUST be reduced to the limit."
 * The same cap applies to Expires.
 */
export const MAX_COOKIE_AGE_MS = 400 * 24 * 60 * 60 * 1000;

/** The request a Set-Cookie line (or a Cookie header) came with, as the checks need it (a RequestTarget is one). */
export interface RequestOrigin {
  /** The request URL's host, canonical: lower case, punycode, IPv6 without brackets. */
  readonly host: string;
  /** Whether the request URL is a secure context; see {@link isSecureContext}. */
  readonly secure: boolean;
}

export interface PolicyRefusal {
  readonly reason: RefusalReason;
  readonly detail: string;
}

/**
 * What {@link judgeSetCookie} decides: refuse, or store. `domain` is the
 * canonical Domain attribute the cookie is stored under, or null for a
 * host-only cookie: one without the attribute, or whose attribute RFC 6265
 * says to drop (`dropDomain`).
 */
export type PolicyVerdict =
  | (PolicyRefusal & { readonly accept: false })
  | { readonly accept: true; readonly dropDomain: boolean; readonly domain: string | null };

/** Runs every check in the order a browser does, and returns the first refusal. */
export function judgeSetCookie(cookie: CookieCandidate, origin: RequestOrigin): PolicyVerdict {
  const tooLarge = checkSize(cookie);
  if (tooLarge !== null) return { accept: false, ...tooLarge };
  const domain = checkDomain(cookie, origin);
  if (domain !== null && domain !== 'drop-domain') return { accept: false, ...domain };
  const dropDomain = domain === 'drop-domain';
  const refusal =
    checkSecureOrigin(cookie, origin) ?? checkPrefix(cookie, cookie.domain === null || dropDomain) ?? checkSameSiteNone(cookie);
  if (refusal !== null) return { accept: false, ...refusal };
  if (dropDomain) return DROPPED_DOMAIN;
  const canonical = canonicalAttributeDomain(cookie.domain);
  return canonical === null ? HOST_ONLY : { accept: true, dropDomain, domain: canonical };
}

// The verdicts most cookies get, made once.
const HOST_ONLY: PolicyVerdict = Object.freeze({ accept: true, dropDomain: false, domain: null });
const DROPPED_DOMAIN: PolicyVerdict = Object.freeze({ accept: true, dropDomain: true, domain: null });

/**
 * RFC 6265bis section 5.6: "If the sum of the lengths of the name string and
 * the value string is more than 4096 octets, abort these steps and ignore the
 * set-cookie-string entirely."
 */
export function checkSize(cookie: CookieCandidate): PolicyRefusal | null {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit: short pairs need no measuring.
  if ((cookie.key.length + cookie.value.length) * 3 <= MAX_NAME_VALUE_BYTES) return null;
  const bytes = Buffer.byteLength(cookie.key) + Buffer.byteLength(cookie.value);
  if (bytes <= MAX_NAME_VALUE_BYTES) return null;
  return { reason: 'too-large', detail: `name and value are ${bytes} bytes together; the limit is ${MAX_NAME_VALUE_BYTES}` };
}

/**
 * RFC 6265 section 5.3, steps 5 and 6:
 *
 *   5. If the user agent is configured to reject "public suffixes" and the
 *      domain-attribute is a public suffix:
 *        If the domain-attribute is identical to the canonicalized request-host:
 *          Let the domain-attribute be the empty string.
 *        Otherwise:
 *          Ignore the cookie entirely and abort these steps.
 *   6. If the domain-attribute is non-empty:
 *        If the canonicalized request-host does not domain-match the
 *        domain-attribute:
 *          Ignore the cookie entirely and abort these steps.
 *
 * Returns `'drop-domain'` for the first case of step 5 (the cookie becomes
 * host-only). Special-use names such as `test` and `localhost` count as public
 * suffixes on their own, as tough-cookie counts them; names under them
 * (`app.test`) are registrable.
 */
export function checkDomain(cookie: CookieCandidate, origin: RequestOrigin): PolicyRefusal | 'drop-domain' | null {
  const domain = canonicalAttributeDomain(cookie.domain);
  if (domain === null) return null;
  if (isPublicSuffix(domain)) {
    if (domain === origin.host) return 'drop-domain';
    return { reason: 'public-suffix', detail: `Domain=${domain} is a public suffix` };
  }
  if (domainMatch(origin.host, domain, false) !== true) {
    return { reason: 'domain-mismatch', detail: `the request host ${origin.host} is not ${domain} or under it` };
  }
  return null;
}

/**
 * RFC 6265bis section 5.7 (step 13 in draft 22) ignores a cookie whose
 * secure-only-flag is set when the request-uri's scheme is not secure;
 * "secure" is the user agent's definition, here {@link isSecureContext}.
 */
export function checkSecureOrigin(cookie: CookieCandidate, origin: RequestOrigin): PolicyRefusal | null {
  if (!cookie.secure || origin.secure) return null;
  return { reason: 'secure-from-insecure', detail: `a Secure cookie from a plain-http origin (${origin.host})` };
}

/**
 * RFC 6265bis section 5.7, matching prefixes case-insensitively as the later
 * drafts and browsers do (a `__secure-` name is no way around the rule):
 *
 *   If the cookie-name begins with a case-insensitive match for the string
 *   "__Secure-", abort these steps and ignore the cookie entirely unless the
 *   cookie's secure-only-flag is true.
 *
 *   If the cookie-name begins with a case-insensitive match for the string
 *   "__Host-", abort these steps and ignore the cookie entirely unless the
 *   cookie meets all the following criteria:
 *     1. The cookie's secure-only-flag is true.
 *     2. The cookie's host-only-flag is true.
 *     3. The cookie-attribute-list contains an attribute with an
 *        attribute-name of "Path", and the cookie's path is "/".
 *
 * `hostOnly` is the flag the cookie will be stored with (no Domain attribute,
 * or one that step 5 of RFC 6265 section 5.3 dropped).
 */
export function checkPrefix(cookie: CookieCandidate, hostOnly: boolean): PolicyRefusal | null {
  const name = cookie.key.toLowerCase();
  if (name.startsWith('__secure-') && !cookie.secure) {
    return { reason: 'prefix', detail: 'a __Secure- cookie without the Secure attribute' };
  }
  if (name.startsWith('__host-')) {
    // tough-cookie's parser keeps a Path attribute only when it starts with "/",
    // so `path === '/'` here means the line carried `Path=/`.
    const missing = [
      cookie.secure ? null : 'Secure',
      hostOnly ? null : 'no Domain attribute',
      cookie.path === '/' ? null : 'Path=/',
    ].filter((item) => item !== null);
    if (missing.length > 0) return { reason: 'prefix', detail: `a __Host- cookie needs ${missing.join(', ')}` };
  }
  return null;
}

/**
 * RFC 6265bis section 5.7: "If the cookie's "same-site-flag" is "None", abort
 * these steps and ignore the cookie entirely unless the cookie's
 * secure-only-flag is true." Chromium has refused such cookies since version
 * 80; tough-cookie stores them.
 */
export function checkSameSiteNone(cookie: CookieCandidate): PolicyRefusal | null {
  if (cookie.sameSite !== 'none' || cookie.secure) return null;
  return { reason: 'samesite-none-insecure', detail: 'SameSite=None without Secure' };
}

/**
 * The absolute expiry of a freshly parsed cookie, in ms since the epoch:
 * Infinity for a session cookie, and -Infinity for `Max-Age<=0`.
 *
 * RFC 6265 section 5.3, step 3: Max-Age wins over Expires. Section 5.2.2: "If
 * delta-seconds is less than or equal to zero (0), let expiry-time be the
 * earliest representable date and time. Otherwise, let the expiry-time be the
 * current date and time plus delta-seconds seconds." The current time is when
 * the header was received (`receivedAt`), not when the jar got to it. Both
 * attributes are capped at {@link MAX_COOKIE_AGE_MS} after `receivedAt`.
 */
export function expiryOf(cookie: CookieCandidate, receivedAt: number): number {
  let expiry = Infinity;
  const maxAge = cookie.maxAge;
  if (typeof maxAge === 'number') expiry = maxAge <= 0 ? -Infinity : receivedAt + maxAge * 1000;
  else if (maxAge === '-Infinity') expiry = -Infinity;
  else if (maxAge === null && cookie.expires instanceof Date) expiry = cookie.expires.getTime();
  return expiry === Infinity ? Infinity : Math.min(expiry, receivedAt + MAX_COOKIE_AGE_MS);
}

/**
 * RFC 6265bis section 5.7 (storage model), the step Chromium calls "leave
 * Secure cookies alone":
 *
 *   If the cookie's secure-only-flag is false, and the scheme component of
 *   request-uri does not denote a "secure" protocol, then abort these steps
 *   and ignore the cookie entirely if the cookie store contains one or more
 *   cookies that meet all of the following criteria:
 *     1. Their name matches the name of the newly-created cookie.
 *     2. Their secure-only-flag is true.
 *     3. Their domain domain-matches the domain of the newly-created cookie,
 *        or vice-versa.
 *     4. The path of the newly-created cookie path-matches the path of the
 *        existing cookie.
 *
 * So a plain-http origin can neither overwrite (nor delete) a Secure cookie
 * nor shadow it with a cookie of the same name that a request would carry
 * beside it. `domain` and `path` are the ones the new cookie is stored with;
 * `secureNamed` are the Secure cookies the jar holds under the new cookie's
 * name (those on unrelated domains may be left out). Reported as
 * `secure-from-insecure`.
 */
export function checkSecureOverlay(
  cookie: Pick<CookieCandidate, 'key' | 'secure'>,
  domain: string,
  path: string,
  origin: RequestOrigin,
  secureNamed: Iterable<{ readonly cookie: Pick<Cookie, 'domain' | 'path'> }>,
): PolicyRefusal | null {
  if (cookie.secure || origin.secure) return null;
  for (const { cookie: existing } of secureNamed) {
    if (existing.domain === null || existing.path === null) continue;
    const related = domainMatch(existing.domain, domain, false) === true || domainMatch(domain, existing.domain, false) === true;
    if (related && pathMatch(path, existing.path)) {
      return {
        reason: 'secure-from-insecure',
        detail: `a plain-http origin (${origin.host}) may not overwrite or shadow the Secure cookie ${cookie.key} of ${existing.domain}${existing.path}`,
      };
    }
  }
  return null;
}

/** Domains remembered with their canonical form and whether that is a public suffix; past it the memos start afresh. */
const DOMAIN_MEMO_SIZE = 4096;
const canonicalDomains = new Map<string, string | null>();
const publicSuffixes = new Map<string, boolean>();

/** The Domain attribute made canonical (lower case, punycode, no leading dot), as tough-cookie's `cdomain()`; null without one. */
function canonicalAttributeDomain(domain: string | null): string | null {
  if (domain === null) return null;
  let canonical = canonicalDomains.get(domain);
  if (canonical === undefined) {
    canonical = canonicalDomain(domain) ?? null;
    if (canonicalDomains.size >= DOMAIN_MEMO_SIZE) canonicalDomains.clear();
    canonicalDomains.set(domain, canonical);
  }
  return canonical;
}

function isPublicSuffix(domain: string): boolean {
  let known = publicSuffixes.get(domain);
  if (known === undefined) {
    // An IP address has no public suffix, and a Domain attribute equal to the host's
    // IP address is allowed (it then domain-matches that host only).
    known = !(/^\d{1,3}(\.\d{1,3}){3}$/.test(domain) || domain.includes(':')) && getPublicSuffix(domain, { allowSpecialUseDomain: true, ignoreError: true }) === undefined;
    if (publicSuffixes.size >= DOMAIN_MEMO_SIZE) publicSuffixes.clear();
    publicSuffixes.set(domain, known);
  }
  return known;
}
