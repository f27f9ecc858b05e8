/**
 * The Secure cookies the jar holds, found by name and related domain: what
 * RFC 6265bis's "leave Secure cookies alone" (browser-policy's
 * checkSecureOverlay) looks through for each cookie from a plain-http origin.
 *
 *   name ──▶ site ──▶ Set<entry>        site: the domain's last two labels ("www.example.com" → "example.com")
 *
 * Two domains of which one domain-matches the other share their site, unless
 * the shorter one has a single label ("localhost", "com"); such a domain is
 * its own site and is looked up as well. So a lookup reads two groups of
 * cookies of the same name on related sites, however large the jar.
 */
import type { Cookie } from 'tough-cookie';

export class SecureCookies<T extends { readonly cookie: Cookie }> {
  readonly #byName = new Map<string, Map<string, Set<T>>>();

  add(entry: T): void {
    const { key, domain } = entry.cookie;
    if (domain === null) return;
    let sites = this.#byName.get(key);
    if (sites === undefined) {
      sites = new Map();
      this.#byName.set(key, sites);
    }
    const site = siteOf(domain);
    const group = sites.get(site);
    if (group === undefined) sites.set(site, new Set([entry]));
    else group.add(entry);
  }

  delete(entry: T): void {
    const { key, domain } = entry.cookie;
    if (domain === null) return;
    const sites = this.#byName.get(key);
    const site = siteOf(domain);
    const group = sites?.get(site);
    if (sites === undefined || group === undefined) return;
    group.delete(entry);
    if (group.size > 0) return;
    sites.delete(site);
    if (sites.size === 0) this.#byName.delete(key);
  }

  /**
   * The Secure cookies named `name` whose domain may domain-match `domain` or
   * be domain-matched by it (a superset: the caller checks each).
   */
  *related(name: string, domain: string): IterableIterator<T> {
    const sites = this.#byName.get(name);
    if (sites === undefined) return;
    const site = siteOf(domain);
    const lastDot = domain.lastIndexOf('.');
    if (lastDot === -1) {
      // A single-label domain is every site under it: look through them all (rare: localhost, an intranet name).
      for (const group of sites.values()) yield* group;
      return;
    }
    yield* sites.get(site) ?? [];
    const topLabel = domain.slice(lastDot + 1);
    if (topLabel !== site) yield* sites.get(topLabel) ?? [];
  }
}

/** The last two labels of a domain, or the domain itself when it has fewer. */
function siteOf(domain: string): string {
  const last = domain.lastIndexOf('.');
  if (last === -1) return domain;
  const before = domain.lastIndexOf('.', last - 1);
  return before === -1 ? domain : domain.slice(before + 1);
}
