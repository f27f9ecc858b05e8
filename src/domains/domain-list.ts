/**
 * The current list of domains to sync, as the supervisor holds it: parsed on
 * the way in, one entry per canonical spec, and a compiled matcher kept ready.
 * Plain state and no streams; whoever owns the list publishes `list()` after a
 * change (to connection workers and to the filterDomains operator).
 */
import { compileDomains, type DomainMatcher } from './domain-matcher.ts';
import type { DomainRule } from './domain-rule.ts';
import { parseDomainRule } from './parse-domain.ts';

export interface AddedDomain {
  /** The rule in the list: the new one, or the one already there with the same spec. */
  readonly rule: DomainRule;
  /** False when a rule with the same spec was already in the list (nothing changed). */
  readonly added: boolean;
}

export class DomainList {
  /** Keyed by spec; a Map keeps insertion order, which is the order list() shows. */
  readonly #rules = new Map<string, DomainRule>();
  /** Rebuilt lazily after a change, so a burst of adds compiles once. */
  #snapshot: readonly DomainRule[] | undefined;
  #matcher: DomainMatcher | undefined;

  /**
   * @param inputs Domains to start with, in any spelling parseDomainRule accepts. Defaults to none.
   * @throws JarsyncError `JARSYNC_ERR_BAD_DOMAIN` for the first input that does not parse.
   */
  constructor(inputs: Iterable<string> = []) {
    for (const input of inputs) this.add(input);
  }

  get size(): number {
    return this.#rules.size;
  }

  /**
   * Adds a domain unless one with the same canonical spec is there already.
   * @throws JarsyncError `JARSYNC_ERR_BAD_DOMAIN` when the input does not parse.
   */
  add(input: string): AddedDomain {
    const rule = parseDomainRule(input);
    const existing = this.#rules.get(rule.spec);
    if (existing !== undefined) return { rule: existing, added: false };
    this.#rules.set(rule.spec, rule);
    this.#changed();
    return { rule, added: true };
  }

  /**
   * Removes the domain that `input` names in any spelling (`*.Example.com.`
   * removes `example.com`). Returns false when it is not in the list.
   * @throws JarsyncError `JARSYNC_ERR_BAD_DOMAIN` when the input does not parse:
   *   malformed input is the caller's error, not "not found".
   */
  remove(input: string): boolean {
    const removed = this.#rules.delete(parseDomainRule(input).spec);
    if (removed) this.#changed();
    return removed;
  }

  /**
   * Whether the domain that `input` names is in the list.
   * @throws JarsyncError `JARSYNC_ERR_BAD_DOMAIN` when the input does not parse.
   */
  has(input: string): boolean {
    return this.#rules.has(parseDomainRule(input).spec);
  }

  /**
   * The rules in the order they were added. The same frozen array until the
   * list changes, so a subscriber can tell a change by identity.
   */
  list(): readonly DomainRule[] {
    this.#snapshot ??= Object.freeze([...this.#rules.values()]);
    return this.#snapshot;
  }

  /** The compiled matcher for list(); the same object until the list changes. */
  matcher(): DomainMatcher {
    this.#matcher ??= compileDomains(this.list());
    return this.#matcher;
  }

  #changed(): void {
    this.#snapshot = undefined;
    this.#matcher = undefined;
  }
}
