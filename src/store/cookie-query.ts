/**
 * Which cookies a query selects, answered the same way by the jar actor and
 * by ReadJar (the CLI's read-only view):
 *
 *   CookieFilter ──validateFilter──▶ ValidFilter ──selectCookies(index)──▶ entries, in Cookie-header order
 *
 * Selection by URL is RFC 6265 section 5.4 as tough-cookie's getCookies does
 * it (the same domain permutations, path-match, host-only and Secure rules,
 * and order), read from the CookieIndex without the per-call URL parsing and
 * public-suffix walk that made getCookies the most costly step of a Cookie
 * header.
 */
import { isIP } from 'node:net';
import { canonicalDomain, cookieCompare, domainMatch, pathMatch, permuteDomain } from 'tough-cookie';
import { JarsyncError } from '../errors.ts';
import type { CookieIndex, IndexedCookie } from './cookie-index.ts';
import type { SerializedCookie } from './jar-store.ts';
import { parseAbsoluteHttpUrl, targetOf, type RequestTarget } from './request-target.ts';

/** Which cookies a query returns. Both fields together select what both select. */
export interface CookieFilter {
  /**
   * An absolute http: or https: URL: the cookies a browser would send with a
   * request to it (RFC 6265 section 5.4: host-only cookies to their host only,
   * domain cookies to the domain and its subdomains, path-match, Secure only to
   * a secure context), HttpOnly ones included since the question is asked for
   * HTTP. In the order the Cookie header lists them: longer paths first, then
   * older first.
   */
  readonly url?: string;
  /** A domain: every cookie whose domain is this one or under it, whatever its path, Secure or not. */
  readonly domain?: string;
}

/** The queries both the actor and ReadJar answer. */
export interface JarQueries {
  /** The cookies a filter selects (all of them without one); never expired ones. */
  cookies(filter?: CookieFilter): Promise<SerializedCookie[]>;
  /** The Cookie header a browser would send to `url`; empty when none. */
  cookieHeader(url: string): Promise<string>;
}

/** A filter checked once and made canonical. */
export interface ValidFilter {
  readonly url: RequestTarget | null;
  readonly domain: string | null;
}

/** Checks a filter; throws `JARSYNC_ERR_BAD_URL` or `JARSYNC_ERR_BAD_DOMAIN`. */
export function validateFilter(filter: CookieFilter): ValidFilter {
  return {
    url: filter.url === undefined ? null : targetOf(parseHttpUrl(filter.url)),
    domain: filter.domain === undefined ? null : canonicalFilterDomain(filter.domain),
  };
}

/** An absolute http: or https: URL, or `JARSYNC_ERR_BAD_URL`. */
export function parseHttpUrl(text: string): URL {
  const url = parseAbsoluteHttpUrl(text);
  if (url === null) throw new JarsyncError('JARSYNC_ERR_BAD_URL', `Not an absolute http: or https: URL: ${JSON.stringify(text)}`);
  return url;
}

/**
 * The entries `filter` selects that have not expired by `now`: for a URL in
 * Cookie-header order (tough-cookie's cookieCompare), otherwise in creation
 * order.
 */
export function selectCookies<T extends IndexedCookie>(index: CookieIndex<T>, filter: ValidFilter, now: number): T[] {
  const domain = filter.domain;
  const under = domain === null ? '' : `.${domain}`;
  const inDomain = (entry: T): boolean => {
    const cookieDomain = entry.cookie.domain;
    return domain === null || (cookieDomain !== null && (cookieDomain === domain || cookieDomain.endsWith(under)));
  };
  if (filter.url !== null) {
    return cookiesForUrl(index, filter.url, now)
      .filter(inDomain)
      .sort((a, b) => cookieCompare(a.cookie, b.cookie));
  }
  const selected: T[] = [];
  for (const entry of index.values()) if (entry.expiresAt > now && inDomain(entry)) selected.push(entry);
  return selected.sort((a, b) => a.cookie.creationIndex - b.cookie.creationIndex);
}

/**
 * The live entries a request to `target` carries (RFC 6265 section 5.4, step
 * 1), in no particular order. tough-cookie's getCookies, rule for rule: the
 * domains searched are the host's permutations up to its public suffix; a
 * host-only cookie needs its domain to be the host, any other the host to
 * domain-match it; its path must path-match; a Secure one needs a secure
 * context.
 */
function cookiesForUrl<T extends IndexedCookie>(index: CookieIndex<T>, target: RequestTarget, now: number): T[] {
  const selected: T[] = [];
  const scope = urlScope(index, target);
  for (let at = 0; at < scope.names.length; at += 1) {
    const hostRule = scope.hostRules[at] ?? NOT_SENT;
    scope.names[at]?.forEach((entry) => {
      if (isSent(entry, hostRule, target, now)) selected.push(entry);
    });
  }
  return selected;
}

/** Which cookies of one domain the host may be sent: host-only ones too (the domain is the host), or only domain ones. */
export type HostRule = 'host' | 'domain-only' | 'none';
const NOT_SENT: HostRule = 'none';

/**
 * Where the cookies a request to `target` may carry are held: one name ──▶
 * entry map for each (searched domain, path-matching path), with the host
 * rule of its domain. A caller that knows the names it asks about (a Cookie
 * header) reads each map by name instead of walking every cookie.
 */
export interface UrlScope<T> {
  readonly names: ReadonlyMap<string, T>[];
  readonly hostRules: HostRule[];
}

export function urlScope<T extends IndexedCookie>(index: CookieIndex<T>, target: RequestTarget): UrlScope<T> {
  const scope: { names: ReadonlyMap<string, T>[]; hostRules: HostRule[] } = { names: [], hostRules: [] };
  const searched = searchedDomains(target.host);
  for (let at = 0; at < searched.domains.length; at += 1) {
    const domain = searched.domains[at] ?? '';
    const hostRule = searched.hostRules[at] ?? NOT_SENT;
    const paths = hostRule === NOT_SENT ? undefined : index.domain(domain);
    if (paths === undefined) continue;
    // forEach rather than for…of over entries: no [key, value] array per entry.
    paths.forEach((names, cookiePath) => {
      if (!pathMatch(target.path, cookiePath)) return;
      scope.names.push(names);
      scope.hostRules.push(hostRule);
    });
  }
  return scope;
}

/** Whether an entry of a scope's map goes with the request, by the remaining rules (host-only, Secure, expiry). */
export function isSent(entry: IndexedCookie, hostRule: HostRule, target: RequestTarget, now: number): boolean {
  if (entry.hostOnly ? hostRule !== 'host' : hostRule === 'none') return false;
  if (entry.secure && !target.secure) return false;
  return entry.expiresAt > now;
}

/** The domains whose cookies a request to a host may carry, each with its host rule. */
export interface SearchedDomains {
  readonly domains: readonly string[];
  readonly hostRules: readonly HostRule[];
}

/** Hosts remembered with their permutations; past it the memo starts afresh. */
const PERMUTATIONS_MEMO_SIZE = 4096;
const permutations = new Map<string, SearchedDomains>();

/**
 * The domains whose cookies a request to `host` may carry, `www.example.com`
 * → example.com, www.example.com, with the rule each gives: the host's own
 * domain sends host-only cookies too, a parent domain (which the host
 * domain-matches) only domain cookies.
 */
export function searchedDomains(host: string): SearchedDomains {
  let searched = permutations.get(host);
  if (searched === undefined) {
    let domains: readonly string[];
    try {
      domains = permuteDomain(host, true) ?? [host];
    } catch {
      // A bare special-use name ("example") has no permutations; tough-cookie throws for it.
      domains = [host];
    }
    const hostRules = domains.map((domain): HostRule => (domain === host ? 'host' : domainMatch(host, domain, false) === true ? 'domain-only' : 'none'));
    searched = { domains, hostRules };
    if (permutations.size >= PERMUTATIONS_MEMO_SIZE) permutations.clear();
    permutations.set(host, searched);
  }
  return searched;
}

function canonicalFilterDomain(text: string): string {
  // The same leniency as the domain list: case, a leading "." or "*.", a
  // trailing dot and IPv6 brackets do not matter.
  let domain = text.trim().replace(/^\*\./, '').replace(/\.$/, '');
  if (domain.startsWith('[') && domain.endsWith(']')) domain = domain.slice(1, -1);
  const canonical = domain === '' ? undefined : canonicalDomain(domain);
  if (canonical !== undefined && (isIP(canonical) !== 0 || HOST_NAME.test(canonical))) return canonical;
  throw new JarsyncError('JARSYNC_ERR_BAD_DOMAIN', `Not a host name or IP address: ${JSON.stringify(text)}`);
}

/** Labels of letters, digits, hyphens and underscores (some real host names have them), dot-separated. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
