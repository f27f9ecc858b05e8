/**
 * The domain filter for cookies a browser reports: the same list and rules
 * as the proxy's (filterDomains), asked of a cookie rather than a request.
 *
 *   BrowserCookieChange ──▶ would the browser send this cookie to a host some rule syncs? ──▶ kept / dropped
 *
 * A request is synced by the host it goes to; a cookie held by a browser has
 * no request, so it is synced when a request the browser would send it with
 * is: a host-only cookie of `h` with a request to `h`, a domain cookie of
 * `d` with a request to `d` or any host under it (RFC 6265 section 5.4: the
 * request host domain-matches the cookie's domain). Cookies do not depend on
 * the port (RFC 6265 section 8.5), so a rule's port does not narrow them; a
 * Secure cookie is sent over https only, so a rule for plain http alone does
 * not sync it.
 */
import { canonicalCookieDomain, type BrowserCookieChange } from '../browser-cookie.ts';
import { hostMatchesDomain } from '../domains/domain-matcher.ts';
import type { DomainRule } from '../domains/domain-rule.ts';

/** Whether the domain list syncs the cookie a change is about. */
export function syncsBrowserCookie(rules: readonly DomainRule[], change: BrowserCookieChange): boolean {
  const domain = canonicalCookieDomain(change.cookie.domain);
  if (domain === '') return false;
  // A removal names no flags: it is kept if any form of the cookie would be, and removes nothing the jar does not hold.
  const hostOnly = change.kind === 'set' ? change.cookie.hostOnly : false;
  const secure = change.kind === 'set' && change.cookie.secure;
  return rules.some((rule) => ruleSyncsCookie(rule, domain, hostOnly, secure));
}

function ruleSyncsCookie(rule: DomainRule, domain: string, hostOnly: boolean, secure: boolean): boolean {
  if (secure && rule.scheme === 'http') return false;
  // A request to `domain` itself, or (with subdomains) to a host under the rule's host.
  if (rule.subdomains ? hostMatchesDomain(domain, rule.host) : domain === rule.host) return true;
  // A domain cookie also goes to the hosts under its domain, the rule's host among them.
  return !hostOnly && hostMatchesDomain(rule.host, domain);
}
