/**
 * Cookies a browser reports holding (its extension, or the DevTools
 * protocol), applied as the browser holds them:
 *
 *   set    ──▶ candidate (the browser's attributes as they are) ──▶ CookieWriter.write ──▶ added / updated / deleted (expired)
 *   remove ──▶ the held cookie under (domain, path, name) ──────────▶ CookieWriter.remove ──▶ deleted
 *
 * The browser already applied RFC 6265's rules when it stored the cookie, and
 * it holds things the header rules cannot express (a cookie set by page
 * script), so only what makes a cookie unusable to the jar is refused: an
 * empty name, a path that is not absolute, name and value over 4096 bytes.
 * The latest change per (domain, path, name) wins by when the browser made
 * it, as for headers.
 */
import { canonicalCookieDomain, type BrowserCookie, type BrowserCookieChange, type BrowserSource } from '../browser-cookie.ts';
import type { RequestTarget } from '../store/request-target.ts';
import { checkSize } from './browser-policy.ts';
import type { CookieCandidate } from './cookie-candidate.ts';
import type { ApplyResult, CookieWriter, Received } from './cookie-writer.ts';
import type { HeldCookies } from './held-cookies.ts';

const UNCHANGED: ApplyResult = Object.freeze({ outcome: 'unchanged' });

/** Applies one change reported by a browser; `now` stands in for a change time that lies in the future. */
export function applyBrowserCookie(
  writer: CookieWriter,
  held: HeldCookies,
  change: BrowserCookieChange,
  source: BrowserSource,
  client: string,
  now: number,
): ApplyResult {
  const domain = canonicalCookieDomain(change.cookie.domain);
  const at = Number.isFinite(change.at) ? Math.min(change.at, now) : now;
  const received: Received = { source, url: cookieUrl(domain, change.cookie.path, change.kind === 'set' && change.cookie.secure), client, header: describe(change), at };
  if (domain === '' || change.cookie.name === '') {
    return writer.refuse({ reason: 'parse', detail: 'a browser cookie needs a domain and a non-empty name' }, received);
  }
  if (!change.cookie.path.startsWith('/')) {
    return writer.refuse({ reason: 'parse', detail: 'a browser cookie path must start with "/"' }, received);
  }
  if (change.kind === 'remove') {
    const previous = held.get(domain, change.cookie.path, change.cookie.name);
    if (previous === undefined) return UNCHANGED;
    if (at < previous.seenAt) {
      writer.stale += 1;
      return UNCHANGED;
    }
    return writer.remove(previous, 'deleted', received, at);
  }
  const candidate = candidateOf(change.cookie);
  const tooLarge = checkSize(candidate);
  if (tooLarge !== null) return writer.refuse(tooLarge, received);
  // A secure target: the browser decided what it may hold, so the jar's
  // "leave Secure cookies alone" check for plain-http origins does not apply.
  const target: RequestTarget = { host: domain, path: change.cookie.path, defaultPath: change.cookie.path, secure: true };
  return writer.write(candidate, change.cookie.hostOnly ? null : domain, target, 'set-cookie', received);
}

function candidateOf(cookie: BrowserCookie): CookieCandidate {
  const expires = cookie.session || cookie.expirationDate === undefined ? 'Infinity' : new Date(Math.floor(cookie.expirationDate * 1000));
  return {
    key: cookie.name,
    value: cookie.value,
    domain: cookie.hostOnly ? null : canonicalCookieDomain(cookie.domain),
    path: cookie.path,
    expires,
    maxAge: null,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    sameSite: sameSiteOf(cookie.sameSite),
    extensions: null,
  };
}

function sameSiteOf(sameSite: BrowserCookie['sameSite']): string | undefined {
  switch (sameSite) {
    case 'no_restriction':
      return 'none';
    case 'lax':
    case 'strict':
      return sameSite;
    default:
      return undefined;
  }
}

/** The URL a change reports: where the browser would send the cookie. */
function cookieUrl(domain: string, path: string, secure: boolean): string {
  const host = domain.includes(':') ? `[${domain}]` : domain;
  return `${secure ? 'https' : 'http'}://${host}${path.startsWith('/') ? path : '/'}`;
}

/** The cookie as a Set-Cookie line, for a refusal's report (which masks the value). */
function describe(change: BrowserCookieChange): string {
  const { cookie } = change;
  const domain = change.kind === 'set' && change.cookie.hostOnly ? '' : `; Domain=${canonicalCookieDomain(cookie.domain)}`;
  return `${cookie.name}=${change.kind === 'set' ? change.cookie.value : ''}${domain}; Path=${cookie.path}`;
}
