/**
 * The last Cookie header each URL (host, path, scheme) sent that the jar is
 * known to be in step with, so that the next header from there is read only
 * where it differs.
 *
 *   host ──▶ path ──▶ { header, the name of each of its pieces, secure, tick }
 *   "sid=1; _ga=2; _last=7"  then  "sid=1; _ga=2; _last=8"  ──▶  only "_last=8" is parsed and weighed
 *
 * A browser sends the same Cookie header with every request to a site until
 * one of its cookies changes, and then a header that differs in that pair
 * alone. What a pair does depends only on the pairs of its name in the
 * header, the URL, and the cookies held under the domains that URL searches
 * (RFC 6265 section 5.4; the key a new pair would take is the host's own).
 * Once a header has been applied without a refusal and with every write
 * changing something, each of its pairs (its names all distinct) is held as
 * sent: applying that pair again changes nothing, and leaving it out of a
 * later header changes nothing either (see applyCookieHeader). That holds
 * while no cookie of a searched domain changes: each entry keeps the tick of
 * HeldCookies it was made at, and is void once any of those domains changed
 * after it (expired cookies are removed, a change, before any message is
 * handled). A pair that differs, or any pair of a header without a valid
 * entry, is read and weighed as usual.
 */
import { searchedDomains } from '../store/cookie-query.ts';
import type { RequestTarget } from '../store/request-target.ts';
import type { HeldCookies } from './held-cookies.ts';

export interface LastHeader {
  readonly header: string;
  /** The name of each ";"-separated piece of `header`, in order; '' for an empty piece. */
  readonly names: readonly string[];
  readonly secure: boolean;
  readonly tick: number;
  readonly generation: number;
}

/** URLs remembered; past it the memory starts afresh. */
const MEMORY_SIZE = 2048;
/** Longer headers are read whole every time rather than held (8 MB at most in all, a few hundred KB as a rule). */
const MAX_HEADER_LENGTH = 4096;

export class LastHeaders {
  readonly #held: HeldCookies;
  readonly #byHost = new Map<string, Map<string, LastHeader>>();
  #size = 0;

  constructor(held: HeldCookies) {
    this.#held = held;
  }

  /** The header remembered for `target`, if the jar is still in step with it. */
  recall(target: RequestTarget): LastHeader | undefined {
    const last = this.#byHost.get(target.host)?.get(target.path);
    if (last?.secure !== target.secure || last.generation !== this.#held.generation) return undefined;
    for (const domain of searchedDomains(target.host).domains) {
      if (this.#held.changedAt(domain) > last.tick) return undefined;
    }
    return last;
  }

  /** Notes that the jar is now in step with `header` from `target`, whose pieces have `names`. */
  remember(target: RequestTarget, header: string, names: readonly string[]): void {
    if (header.length > MAX_HEADER_LENGTH) return;
    let paths = this.#byHost.get(target.host);
    if (paths === undefined) {
      if (this.#size >= MEMORY_SIZE) this.#clear();
      paths = new Map();
      this.#byHost.set(target.host, paths);
    }
    if (!paths.has(target.path)) this.#size += 1;
    paths.set(target.path, { header, names, secure: target.secure, tick: this.#held.tick, generation: this.#held.generation });
  }

  /** Forgets `target`'s header: the last one applied refused or confirmed something, and must be read whole again. */
  forget(target: RequestTarget): void {
    const paths = this.#byHost.get(target.host);
    if (paths?.delete(target.path) === true) this.#size -= 1;
  }

  #clear(): void {
    this.#byHost.clear();
    this.#size = 0;
  }
}

/** Whether `a` from `aStart` to `aEnd` holds the same characters as `b` from `bStart` to `bEnd`. */
export function samePiece(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): boolean {
  const length = aEnd - aStart;
  if (length !== bEnd - bStart) return false;
  for (let offset = 0; offset < length; offset += 1) {
    if (a.charCodeAt(aStart + offset) !== b.charCodeAt(bStart + offset)) return false;
  }
  return true;
}
