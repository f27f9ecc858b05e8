/**
 * The soak's verdict on the jar: every cookie the origin left set must be
 * there with the value it sent last, every cookie it deleted last must be
 * gone, and nothing else may be there. Cookies whose last request failed are
 * left out (either value could be right) and counted.
 */
import { keyId } from './soak-cookies.ts';

export interface JarCookie {
  readonly key: string;
  readonly value: string;
  readonly domain?: string | null;
  readonly path?: string | null;
}

export interface JarComparison {
  /** Cookies the origin left set (and checked). */
  readonly expectedSet: number;
  /** Cookies the origin deleted last (and checked). */
  readonly expectedDeleted: number;
  readonly matched: number;
  /** Set by the origin, absent from the jar. */
  readonly missing: readonly string[];
  /** In the jar with another value than the origin's last. */
  readonly wrongValue: readonly string[];
  /** Deleted by the origin, still in the jar. */
  readonly notDeleted: readonly string[];
  /** In the jar, never sent by the origin. */
  readonly unexpected: readonly string[];
  /** Left out: their last request failed. */
  readonly uncertain: number;
}

export function compareJar(last: ReadonlyMap<string, string | null>, jar: readonly JarCookie[], uncertain: ReadonlySet<string>): JarComparison {
  const held = new Map<string, string>();
  for (const cookie of jar) held.set(keyId(cookie.domain ?? '', cookie.path ?? '/', cookie.key), cookie.value);
  const missing: string[] = [];
  const wrongValue: string[] = [];
  const notDeleted: string[] = [];
  const unexpected: string[] = [];
  let expectedSet = 0;
  let expectedDeleted = 0;
  let matched = 0;
  for (const [id, value] of last) {
    if (uncertain.has(id)) continue;
    const found = held.get(id);
    if (value === null) {
      expectedDeleted += 1;
      if (found === undefined) matched += 1;
      else notDeleted.push(id);
    } else {
      expectedSet += 1;
      if (found === undefined) missing.push(id);
      else if (found !== value) wrongValue.push(`${id}: ${found} instead of ${value}`);
      else matched += 1;
    }
  }
  for (const id of held.keys()) if (!last.has(id) && !uncertain.has(id)) unexpected.push(id);
  return { expectedSet, expectedDeleted, matched, missing, wrongValue, notDeleted, unexpected, uncertain: uncertain.size };
}

/** True when the jar holds exactly what the origin sent last. */
export function isExact(comparison: JarComparison): boolean {
  return comparison.missing.length === 0 && comparison.wrongValue.length === 0 && comparison.notDeleted.length === 0 && comparison.unexpected.length === 0;
}
