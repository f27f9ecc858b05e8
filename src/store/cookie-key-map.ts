/**
 * A map keyed by RFC 6265's identity of a cookie, (domain, path, name), as
 * three levels of Maps: the shape of tough-cookie's MemoryCookieStore index.
 *
 *   domain ──▶ path ──▶ name ──▶ value
 *
 * Keyed this way a lookup reads the strings the jar already has (the host of
 * a remembered URL, a default path, a parsed name) instead of building and
 * hashing one composite string per change, and a domain's entries are one read.
 */
export class CookieKeyMap<V> {
  readonly #domains = new Map<string, Map<string, Map<string, V>>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(domain: string, path: string, name: string): V | undefined {
    return this.#domains.get(domain)?.get(path)?.get(name);
  }

  /** Sets the value under (domain, path, name); returns the one it replaces. */
  set(domain: string, path: string, name: string, value: V): V | undefined {
    let paths = this.#domains.get(domain);
    if (paths === undefined) {
      paths = new Map();
      this.#domains.set(domain, paths);
    }
    let names = paths.get(path);
    if (names === undefined) {
      names = new Map();
      paths.set(path, names);
    }
    const previous = names.get(name);
    names.set(name, value);
    if (previous === undefined) this.#size += 1;
    return previous;
  }

  /** Removes what is under (domain, path, name); returns it. */
  delete(domain: string, path: string, name: string): V | undefined {
    const paths = this.#domains.get(domain);
    const names = paths?.get(path);
    const previous = names?.get(name);
    if (paths === undefined || names === undefined || previous === undefined) return undefined;
    names.delete(name);
    // Empty maps are dropped so that a jar that churns through hosts does not keep their shells.
    if (names.size === 0) paths.delete(path);
    if (paths.size === 0) this.#domains.delete(domain);
    this.#size -= 1;
    return previous;
  }

  /** The entries under exactly this domain: path ──▶ name ──▶ value. */
  domain(domain: string): ReadonlyMap<string, ReadonlyMap<string, V>> | undefined {
    return this.#domains.get(domain);
  }

  /** Every value, in no particular order. */
  *values(): IterableIterator<V> {
    for (const paths of this.#domains.values()) {
      for (const names of paths.values()) yield* names.values();
    }
  }

  clear(): void {
    this.#domains.clear();
    this.#size = 0;
  }
}
