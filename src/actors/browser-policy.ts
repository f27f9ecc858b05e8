/**
 * What a browser refuses to store, checked before tough-cookie sees a cookie.
 * Pure functions of a parsed cookie and the request it came with; each returns
 * a refusal (reason and detail) or null.
 *
 * tough-cookie 6 makes some of these checks itself (public suffix, domain
 * match, Secure from an insecure origin, prefixes in `strict` mode) but
 * reports them as message-only errors, so the jar makes them first to report
 * a stable reason; tough-cookie, configured as strictly, stays behind as a
 * second line. The others tough-cookie does not make at all: SameSite=None
 * without Secure, the 4096-byte limit, case-insensitive prefixes and the
 * 400-day cap on expiry.
 */
import { getPublicSuffix, domainMatch, type Cookie } from 'tough-cookie';
import type { RefusalReason } from './cookie-change.ts';

/** RFC 6265bis, section 5.6, step 6 of parsing a set-cookie-string (Chromium enforces the same). */
export const MAX_NAME_VALUE_BYTES = 4096;

/**
 * RFC 6265bis (draft 14 on, and Chromium since version 104): "The limit SHOULD
 * NOT be greater than 400 days (34560000 seconds) in duration. … Max-Age
 * attributes that are greater than the limit MUST be reduced to the limit."
 * The same cap applies to Expires.
 */
export const MAX_COOKIE_AGE_MS = 400 * 24 * 60 * 60 * 1000;

/** The request a Set-Cookie line (or a Cookie header) came with, as the checks need it. */
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

/** What {@link judgeSetCookie} decides: refuse, or store (with the Domain attribute dropped, when RFC 6265 says so). */
export type PolicyVerdict =
  | (PolicyRefusal & { readonly accept: false })
  | { readonly accept: true; readonly dropDomain: boolean };

/**
 * Whether a URL is a secure context for cookies. Following Chromium (and the
 * W3C Secure Contexts definition of a potentially trustworthy origin), https
 * is, and so are loopback hosts over plain http: 127.0.0.0/8, ::1, `localhost`
 * and names under `.localhost`. A Secure cookie from http://localhost:3000 is
 * stored and sent back there, as the browser the jar mirrors would. This is
 * the same rule tough-cookie applies with `allowSecureOnLocal: true`, which is
 * how the jar configures it, so storing and sending agree.
 */
export function isSecureContext(url: URL): boolean {
  if (url.protocol === 'https:' || url.protocol === 'wss:') return true;
  const host = bareHost(url.hostname).replace(/\.+$/, '');
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (host === '::1') return true;
  return host === 'localhost' || host.endsWith('.localhost');
}

/** The origin facts the checks need, from an absolute http(s) URL. */
export function requestOrigin(url: URL): RequestOrigin {
  return { host: bareHost(url.hostname), secure: isSecureContext(url) };
}

/** Runs every check in the order a browser does, and returns the first refusal. */
export function judgeSetCookie(cookie: Cookie, origin: RequestOrigin): PolicyVerdict {
  const tooLarge = checkSize(cookie);
  if (tooLarge !== null) return { accept: false, ...tooLarge };
  const domain = checkDomain(cookie, origin);
  if (domain !== null && domain !== 'drop-domain') return { accept: false, ...domain };
  const dropDomain = domain === 'drop-domain';
  const refusal =
    checkSecureOrigin(cookie, origin) ?? checkPrefix(cookie, cookie.domain === null || dropDomain) ?? checkSameSiteNone(cookie);
  return refusal === null ? { accept: true, dropDomain } : { accept: false, ...refusal };
}

/**
 * RFC 6265bis section 5.6: "If the sum of the lengths of the name string and
 * the value string is more than 4096 octets, abort these steps and ignore the
 * set-cookie-string entirely."
 */
export function checkSize(cookie: Cookie): PolicyRefusal | null {
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
export function checkDomain(cookie: Cookie, origin: RequestOrigin): PolicyRefusal | 'drop-domain' | null {
  const domain = cookie.cdomain();
  if (cookie.domain === null || domain === undefined) return null;
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
export function checkSecureOrigin(cookie: Cookie, origin: RequestOrigin): PolicyRefusal | null {
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
export function checkPrefix(cookie: Cookie, hostOnly: boolean): PolicyRefusal | null {
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
export function checkSameSiteNone(cookie: Cookie): PolicyRefusal | null {
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
export function expiryOf(cookie: Cookie, receivedAt: number): number {
  let expiry = Infinity;
  const maxAge = cookie.maxAge;
  if (typeof maxAge === 'number') expiry = maxAge <= 0 ? -Infinity : receivedAt + maxAge * 1000;
  else if (maxAge === '-Infinity') expiry = -Infinity;
  else if (maxAge === null && cookie.expires instanceof Date) expiry = cookie.expires.getTime();
  return expiry === Infinity ? Infinity : Math.min(expiry, receivedAt + MAX_COOKIE_AGE_MS);
}

function isPublicSuffix(domain: string): boolean {
  // An IP address has no public suffix, and a Domain attribute equal to the host's
  // IP address is allowed (it then domain-matches that host only).
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(domain) || domain.includes(':')) return false;
  return getPublicSuffix(domain, { allowSpecialUseDomain: true, ignoreError: true }) === undefined;
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
