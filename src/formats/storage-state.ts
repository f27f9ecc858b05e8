/**
 * Playwright's `storageState`: the file `browserContext.storageState()` writes
 * and `browser.newContext({ storageState })` reads, so that a test or a
 * benchmark starts already logged in with the jar's cookies.
 *
 *   { "cookies": [{ name, value, domain, path, expires, httpOnly, secure, sameSite }], "origins": [] }
 *
 * Playwright's conventions, which its own files follow:
 * - `domain` has a leading dot for a domain cookie (one sent to subdomains too)
 *   and none for a host-only cookie, as Chromium's cookie store shows them;
 * - `expires` is in seconds since the epoch, -1 for a session cookie;
 * - `sameSite` is `Strict`, `Lax` or `None`. A cookie set without SameSite is
 *   written `Lax`: what Chromium (lax by default since version 80) holds it as.
 * - `origins` (localStorage per origin) is empty: jarsync sees HTTP headers only.
 */
import type { SerializedCookie } from '../store/jar-store.ts';

export interface StorageStateCookie {
  readonly name: string;
  readonly value: string;
  readonly domain: string;
  readonly path: string;
  /** Seconds since the epoch; -1 for a session cookie. */
  readonly expires: number;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: 'Strict' | 'Lax' | 'None';
}

export interface StorageState {
  readonly cookies: readonly StorageStateCookie[];
  readonly origins: readonly [];
}

const SAME_SITE: Readonly<Record<string, StorageStateCookie['sameSite']>> = { strict: 'Strict', lax: 'Lax', none: 'None' };

/** The jar's cookies as a storageState object. A cookie without a domain (never one the jar holds) is left out. */
export function toStorageState(cookies: readonly SerializedCookie[]): StorageState {
  const converted: StorageStateCookie[] = [];
  for (const cookie of cookies) {
    if (cookie.domain === undefined) continue;
    converted.push({
      name: cookie.key,
      value: cookie.value,
      domain: cookie.hostOnly === true ? cookie.domain : `.${cookie.domain}`,
      path: cookie.path ?? '/',
      expires: expirySeconds(cookie.expires),
      httpOnly: cookie.httpOnly === true,
      secure: cookie.secure === true,
      sameSite: SAME_SITE[cookie.sameSite?.toLowerCase() ?? 'lax'] ?? 'Lax',
    });
  }
  return { cookies: converted, origins: [] };
}

/** Whole seconds, rounded down (as cookies.txt does) so that no reader keeps a cookie past its expiry. */
function expirySeconds(expires: string | undefined): number {
  if (expires === undefined || expires === 'Infinity') return -1;
  const time = Date.parse(expires);
  if (Number.isNaN(time)) return -1;
  // A date before 1970 becomes 1, long expired: 0 or -1 would make it a session cookie.
  return Math.max(Math.floor(time / 1000), 1);
}
