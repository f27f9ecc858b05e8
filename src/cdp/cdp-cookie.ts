/**
 * The DevTools protocol's cookie (`Network.Cookie`, as `Storage.getCookies`
 * returns it) as a BrowserCookie, the form the jar takes from browsers.
 *
 *   { name, value, domain: ".example.com", path, expires: 1767225600.5 | -1, httpOnly, secure, session, sameSite: "Lax" }
 *     ──▶ { domain, hostOnly: false, path, name, value, expirationDate, httpOnly, secure, session, sameSite: "lax" }
 *
 * The protocol does not say whether a cookie is host-only; Chromium writes a
 * domain cookie's domain with a leading dot and a host-only one without,
 * which is what tells them apart (as `chrome.cookies` does).
 */
import type { BrowserCookie } from '../browser-cookie.ts';

/**
 * A cookie from the protocol, or null for one that lacks what a cookie has,
 * or that is partitioned (CHIPS: kept per top-level site, which the jar,
 * like chrome.cookies without a partition key, does not model).
 */
export function cookieFromCdp(value: unknown): BrowserCookie | null {
  if (typeof value !== 'object' || value === null) return null;
  const fields = value as Record<string, unknown>;
  const { name, value: cookieValue, domain, path, expires, httpOnly, secure, session, sameSite, partitionKey } = fields;
  if (partitionKey !== undefined && partitionKey !== null) return null;
  if (typeof name !== 'string' || typeof cookieValue !== 'string' || typeof domain !== 'string' || typeof path !== 'string') return null;
  const isSession = session === true || typeof expires !== 'number' || expires < 0;
  const cookie: BrowserCookie = {
    domain,
    hostOnly: !domain.startsWith('.'),
    path,
    name,
    value: cookieValue,
    httpOnly: httpOnly === true,
    secure: secure === true,
    session: isSession,
    sameSite: sameSite === 'Strict' ? 'strict' : sameSite === 'Lax' ? 'lax' : sameSite === 'None' ? 'no_restriction' : 'unspecified',
  };
  return isSession ? cookie : { ...cookie, expirationDate: expires };
}

/** The identity the browser keys a cookie by (its domain keeps the dot: `.a.com` and `a.com` are two cookies). */
export function cdpCookieId(cookie: BrowserCookie): string {
  return JSON.stringify([cookie.domain, cookie.path, cookie.name]);
}
