/**
 * What a browser would do with a cookie header, decided without the jar's
 * code: tough-cookie's own CookieJar (configured as a browser: public suffixes
 * refused, Secure only from a potentially trustworthy origin, strict prefixes)
 * plus the RFC 6265bis rules Chromium applies and tough-cookie does not, each
 * written out here from the RFC text:
 * - name and value together at most 4096 bytes;
 * - `SameSite=None` only with `Secure`;
 * - the `__Secure-` and `__Host-` prefixes matched case-insensitively;
 * - expiry capped at 400 days.
 */
import { canonicalDomain, Cookie, CookieJar, domainMatch, getPublicSuffix, MemoryCookieStore } from 'tough-cookie';
import type { SerializedCookie } from '../../src/store/jar-store.ts';

export const MAX_NAME_VALUE_BYTES = 4096;
export const MAX_AGE_MS = 400 * 24 * 60 * 60 * 1000;

/** What a browser does with one Set-Cookie line. */
export type Verdict =
  | { readonly kind: 'refuse'; readonly why: string }
  /** Stored under this key with this value; `expired` when it only deletes what the key held. */
  | { readonly kind: 'store'; readonly domain: string; readonly path: string; readonly name: string; readonly value: string; readonly secure: boolean; readonly hostOnly: boolean; readonly expired: boolean }
  /** The oracle does not decide: a rule that depends on more than the line and its URL. */
  | { readonly kind: 'unsure'; readonly why: string };

function browserJar(): CookieJar {
  return new CookieJar(new MemoryCookieStore(), {
    rejectPublicSuffixes: true,
    allowSpecialUseDomain: true,
    allowSecureOnLocal: true,
    enforceSecureOriginOnStorage: true,
    prefixSecurity: 'strict',
    looseMode: false,
  });
}

/** The host of a URL as cookies see it: lower case, IPv6 without brackets. */
export function cookieHost(url: string): string {
  const { hostname } = new URL(url);
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/** A potentially trustworthy origin (W3C Secure Contexts): https, or a loopback host over http. */
export function isSecureOrigin(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return true;
  const host = cookieHost(url);
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function isIp(host: string): boolean {
  return host.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

export function isPublicSuffix(domain: string): boolean {
  return !isIp(domain) && getPublicSuffix(domain, { allowSpecialUseDomain: true, ignoreError: true }) == null;
}

/** The verdict on `line` from `url` at `now`; `heldSecureNames` are the names of the Secure cookies the jar holds. */
export function judge(line: string, url: string, now: number, heldSecureNames: ReadonlySet<string>): Verdict {
  let stored: Cookie | undefined;
  try {
    stored = browserJar().setCookieSync(line, url, { now: new Date(now) });
  } catch (error) {
    // RFC 6265 section 5.3 step 5: a Domain attribute equal to a public-suffix host makes the cookie
    // host-only; tough-cookie refuses the cookie instead. That one case the oracle leaves open.
    const domain = Cookie.parse(line, { loose: false })?.cdomain();
    if (typeof domain === 'string' && domain === canonicalDomain(cookieHost(url))) return { kind: 'unsure', why: 'Domain is the public-suffix host itself' };
    return { kind: 'refuse', why: error instanceof Error ? error.message : String(error) };
  }
  if (stored?.domain == null || stored.path === null) return { kind: 'refuse', why: 'tough-cookie stored nothing' };
  const name = stored.key;
  const lower = name.toLowerCase();
  if (Buffer.byteLength(name) + Buffer.byteLength(stored.value) > MAX_NAME_VALUE_BYTES) return { kind: 'refuse', why: 'over 4096 bytes' };
  if (stored.sameSite === 'none' && !stored.secure) return { kind: 'refuse', why: 'SameSite=None without Secure' };
  if (lower.startsWith('__secure-') && !stored.secure) return { kind: 'refuse', why: '__Secure- without Secure' };
  if (lower.startsWith('__host-') && !(stored.secure && stored.hostOnly === true && stored.path === '/' && stored.pathIsDefault !== true)) {
    return { kind: 'refuse', why: '__Host- without Secure, host-only and Path=/' };
  }
  // RFC 6265bis's "leave Secure cookies alone" depends on what the jar holds and how it relates.
  if (!stored.secure && !isSecureOrigin(url) && heldSecureNames.has(name)) return { kind: 'unsure', why: 'may overlay a Secure cookie' };
  // Max-Age counts from when the header was received (RFC 6265 section 5.2.2); undefined for a session cookie.
  const expiry = stored.expiryTime(new Date(now)) ?? Infinity;
  return {
    kind: 'store',
    domain: canonicalDomain(stored.domain) ?? stored.domain,
    path: stored.path,
    name,
    value: stored.value,
    secure: stored.secure,
    hostOnly: stored.hostOnly === true,
    expired: Math.min(expiry, now + MAX_AGE_MS) <= now,
  };
}

/**
 * Every rule a held cookie must meet, given the URL of the header that wrote
 * it and whether that was a Set-Cookie line or a Cookie header; returns the
 * broken ones (none for a cookie a browser would hold).
 */
export function brokenRules(cookie: SerializedCookie, url: string, source: 'response' | 'request', now: number): string[] {
  const broken: string[] = [];
  const host = cookieHost(url);
  const domain = cookie.domain ?? '';
  const lower = cookie.key.toLowerCase();
  if (cookie.hostOnly === true ? domain !== canonicalDomain(host) : domainMatch(host, domain, false) !== true) broken.push(`domain ${domain} does not match the host ${host}`);
  if (cookie.hostOnly !== true && isPublicSuffix(domain)) broken.push(`domain ${domain} is a public suffix`);
  if (cookie.secure === true && !isSecureOrigin(url)) broken.push('Secure from an insecure origin');
  if (lower.startsWith('__secure-') && cookie.secure !== true) broken.push('__Secure- without Secure');
  if (lower.startsWith('__host-') && !(cookie.secure === true && cookie.hostOnly === true && cookie.path === '/')) broken.push('__Host- without its attributes');
  if (cookie.sameSite === 'none' && cookie.secure !== true) broken.push('SameSite=None without Secure');
  if (Buffer.byteLength(cookie.key) + Buffer.byteLength(cookie.value) > MAX_NAME_VALUE_BYTES) broken.push('over 4096 bytes');
  if (cookie.key === '') broken.push('no name');
  if (!(cookie.path ?? '').startsWith('/')) broken.push(`path ${String(cookie.path)}`);
  if (cookie.expires !== undefined) {
    const expires = Date.parse(cookie.expires);
    if (!(expires > now)) broken.push(`held past its expiry ${cookie.expires}`);
    if (expires > now + MAX_AGE_MS) broken.push('expiry beyond 400 days');
  }
  if (source === 'request') {
    // A cookie known only from a Cookie header: host-only, path /, no attributes but the Secure a prefix demands.
    if (cookie.hostOnly !== true || cookie.path !== '/' || cookie.httpOnly === true || cookie.expires !== undefined || cookie.sameSite !== undefined) broken.push('request-side cookie with attributes');
  }
  return broken;
}

/** The pairs of a Cookie header as tough-cookie parses each piece: name → values, in order. */
export function headerPairs(header: string): Map<string, string[]> {
  const pairs = new Map<string, string[]>();
  for (const piece of header.split(';')) {
    if (!piece.includes('=')) continue;
    const parsed = Cookie.parse(piece, { loose: false });
    if (parsed === undefined || parsed.key === '') continue;
    pairs.set(parsed.key, [...(pairs.get(parsed.key) ?? []), parsed.value]);
  }
  return pairs;
}
