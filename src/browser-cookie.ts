/**
 * A cookie as a browser holds it, reported by the browser itself (the
 * extension's `chrome.cookies`, the DevTools protocol's `Storage.getCookies`)
 * rather than seen in a header. Plain data: it crosses HTTP and the jar
 * actor's mailbox as it is.
 *
 *   chrome.cookies / Storage.getCookies ──▶ BrowserCookieChange[] ──▶ domain filter ──▶ JarActor.applyBrowserCookies
 */

/** Who reported the cookies: the browser extension, or a browser attached over the DevTools protocol. */
export type BrowserSource = 'interceptor' | 'cdp';

/** The fields of chrome.cookies.Cookie the jar uses (the DevTools protocol's are mapped onto them). */
export interface BrowserCookie {
  /** As the browser gives it: `.example.com` for a domain cookie, `example.com` for a host-only one. */
  readonly domain: string;
  /** True for a cookie set without a Domain attribute: sent to `domain` only. */
  readonly hostOnly: boolean;
  readonly path: string;
  readonly name: string;
  readonly value: string;
  /** Seconds since the epoch; absent for a session cookie. */
  readonly expirationDate?: number;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  /** chrome.cookies' names: `no_restriction` is SameSite=None, `unspecified` none given. */
  readonly sameSite?: 'no_restriction' | 'lax' | 'strict' | 'unspecified';
  /** True for a session cookie (no expirationDate). */
  readonly session: boolean;
}

/** Which cookie a removal names. */
export interface BrowserCookieKey {
  readonly domain: string;
  readonly path: string;
  readonly name: string;
}

/**
 * One thing the browser did to its cookies, and when it did it (ms since the
 * epoch): the jar applies the latest per (domain, path, name), as it does for
 * headers, so a removal seen before a set does not undo it.
 */
export type BrowserCookieChange =
  | { readonly kind: 'set'; readonly cookie: BrowserCookie; readonly at: number }
  | { readonly kind: 'remove'; readonly cookie: BrowserCookieKey; readonly at: number };

/** Changes from one browser, applied in order. */
export interface BrowserCookieBatch {
  readonly source: BrowserSource;
  /** Who the browser is, for the changes' `client` (`interceptor`, `cdp@127.0.0.1:9222`). */
  readonly client: string;
  readonly changes: readonly BrowserCookieChange[];
}

/** A browser's domain (`.Example.COM.`) as the jar keys it: lower case, no leading or trailing dot. */
export function canonicalCookieDomain(domain: string): string {
  return domain.toLowerCase().replace(/^\.+/, '').replace(/\.+$/, '');
}
