/**
 * The compiled form of the domain list: answers "is this request's host
 * synced, and by which rule?" on the proxy's hot path, once per request and
 * once per cookie event.
 *
 *   rules ──compileDomains──▶ Map<suffix hash, HostEntry chain>
 *   match(scheme, host, port): one backward pass over `host`, hashing as it goes;
 *     at each label boundary the suffix so far (`com`, `example.com`,
 *     `www.example.com`) is looked up by its hash and confirmed in place.
 *
 * The hash is what lets the walk up the labels run without slicing a string
 * per label: a lookup costs a Map.get on a small integer and, on a hit, one
 * in-place comparison. No regex, no allocation.
 */
import type { DomainRule } from './domain-rule.ts';

export interface DomainMatcher {
  /** The rules this matcher was compiled from, in the order given. */
  readonly rules: readonly DomainRule[];
  /** True when no rule was given: nothing matches. */
  readonly isEmpty: boolean;
  /**
   * The rule that syncs a request to `scheme://host:port`, or undefined.
   *
   * `host` is lower-case, punycode for IDNs, an IPv6 address without brackets
   * (as in CookieEvent); a trailing dot is tolerated. When several rules match,
   * the most specific wins: the rule for the host itself over one for a parent
   * domain, and for the same host a rule with scheme and port over one with a
   * scheme only, over one with neither.
   */
  match(scheme: 'http' | 'https', host: string, port: number): DomainRule | undefined;
}

/** Compiles rules as parseDomainRule produces them; compile once per list change, match many times. */
export function compileDomains(rules: readonly DomainRule[]): DomainMatcher {
  return new CompiledDomains(rules);
}

/**
 * RFC 6265 §5.1.3 domain matching, for a host against a domain (both lower-case,
 * canonical; a trailing dot on `host` is tolerated):
 *
 * > A string domain-matches a given domain string if at least one of the
 * > following conditions hold:
 * > - The domain string and the string are identical. […]
 * > - All of the following conditions hold:
 * >   - The domain string is a suffix of the string.
 * >   - The last character of the string that is not included in the domain
 * >     string is a %x2E (".") character.
 * >   - The string is a host name (i.e., not an IP address).
 *
 * The proxy uses it through the matcher; the jar uses it to find the cookies a
 * bare rule covers.
 */
export function hostMatchesDomain(host: string, domain: string): boolean {
  const end = effectiveEnd(host);
  if (end === domain.length) return host.startsWith(domain);
  const start = end - domain.length;
  return (
    start > 0 && host.charCodeAt(start - 1) === DOT && host.startsWith(domain, start) && !isIpAddress(host, end)
  );
}

/**
 * Whether one rule syncs a request to `scheme://host:port`, taken on its own.
 * This is the definition the compiled matcher implements quickly.
 */
export function ruleMatches(rule: DomainRule, scheme: 'http' | 'https', host: string, port: number): boolean {
  if (rule.scheme !== null && rule.scheme !== scheme) return false;
  if (rule.port !== null && rule.port !== port) return false;
  if (rule.subdomains) return hostMatchesDomain(host, rule.host);
  return effectiveEnd(host) === rule.host.length && host.startsWith(rule.host);
}

const DOT = 0x2e;
const COLON = 0x3a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/**
 * Hashes stay within 30 bits so V8 keeps them as small integers (Smis): a Map
 * lookup on one allocates nothing, where a larger number could be boxed.
 */
const HASH_MASK = 0x3fffffff;

/** Every rule for one host, most specific first; `next` chains hosts whose suffix hashes collide. */
interface HostEntry {
  readonly host: string;
  readonly rules: DomainRule[];
  next: HostEntry | undefined;
}

class CompiledDomains implements DomainMatcher {
  readonly rules: readonly DomainRule[];
  readonly isEmpty: boolean;
  readonly #entries = new Map<number, HostEntry>();
  /** No suffix longer than the longest rule host can match: the walk stops there. */
  readonly #longestHost: number;

  constructor(rules: readonly DomainRule[]) {
    // A frozen list (DomainList.list()) cannot change under the matcher; any other is copied.
    this.rules = Object.isFrozen(rules) ? rules : Object.freeze([...rules]);
    this.isEmpty = rules.length === 0;
    let longest = 0;
    for (const rule of rules) {
      this.#entryFor(rule.host).rules.push(rule);
      longest = Math.max(longest, rule.host.length);
    }
    for (const first of this.#entries.values()) {
      for (let entry: HostEntry | undefined = first; entry !== undefined; entry = entry.next) {
        // Array.prototype.sort is stable: rules of equal specificity keep the order given.
        entry.rules.sort((a, b) => specificity(b) - specificity(a));
      }
    }
    this.#longestHost = longest;
  }

  match(scheme: 'http' | 'https', host: string, port: number): DomainRule | undefined {
    const end = effectiveEnd(host);
    const stop = Math.max(0, end - this.#longestHost);
    let found: DomainRule | undefined;
    let hash = 0;
    // Backwards, so each suffix's hash extends the previous one; a nearer match
    // (a longer suffix) found later replaces a farther one.
    for (let i = end - 1; i >= stop; i--) {
      hash = step(hash, host.charCodeAt(i));
      if (i > 0 && host.charCodeAt(i - 1) !== DOT) continue;
      for (let entry = this.#entries.get(hash); entry !== undefined; entry = entry.next) {
        if (entry.host.length !== end - i || !host.startsWith(entry.host, i)) continue;
        const rule = pick(entry.rules, scheme, port, i === 0);
        if (rule !== undefined) found = rule;
        break;
      }
    }
    return found;
  }

  #entryFor(host: string): HostEntry {
    const hash = hashOf(host);
    const first = this.#entries.get(hash);
    for (let entry = first; entry !== undefined; entry = entry.next) {
      if (entry.host === host) return entry;
    }
    const entry: HostEntry = { host, rules: [], next: first };
    this.#entries.set(hash, entry);
    return entry;
  }
}

function pick(rules: readonly DomainRule[], scheme: 'http' | 'https', port: number, exact: boolean): DomainRule | undefined {
  for (const rule of rules) {
    if (!exact && !rule.subdomains) continue;
    if (rule.scheme !== null && rule.scheme !== scheme) continue;
    if (rule.port !== null && rule.port !== port) continue;
    return rule;
  }
  return undefined;
}

function specificity(rule: DomainRule): number {
  return (rule.scheme === null ? 0 : 1) + (rule.port === null ? 0 : 2);
}

function step(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) & HASH_MASK;
}

/** The same hash match() builds, last character first. */
function hashOf(host: string): number {
  let hash = 0;
  for (let i = host.length - 1; i >= 0; i--) hash = step(hash, host.charCodeAt(i));
  return hash;
}

function effectiveEnd(host: string): number {
  return host.length > 0 && host.charCodeAt(host.length - 1) === DOT ? host.length - 1 : host.length;
}

/**
 * Whether a canonical host is an IP address: IPv6 has colons, and a name never
 * ends in an all-numeric label (parseDomainRule and URL parsers both read such
 * a host as IPv4), so checking the last label is enough.
 */
function isIpAddress(host: string, end: number): boolean {
  let digits = 0;
  for (let i = end - 1; i >= 0; i--) {
    const code = host.charCodeAt(i);
    if (code === DOT) return digits > 0;
    if (code === COLON) return true;
    if (code < DIGIT_0 || code > DIGIT_9) return host.includes(':');
    digits++;
  }
  return digits > 0;
}
