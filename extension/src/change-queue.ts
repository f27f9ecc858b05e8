/**
 * Cookie changes on their way to jarsync, as chrome.cookies.onChanged reports
 * them, made into the changes jarsync takes and sent in batches.
 *
 *   onChanged ──▶ push ──▶ waiting (in order) ──after FLUSH_DELAY_MS──▶ take() ──▶ POST /api/interceptor/cookies
 *
 * Chrome reports an overwrite as two events: the old cookie removed (cause
 * `overwrite`), then the new one inserted. The removal waits, and the insert
 * that follows replaces it: jarsync sees one update and never a moment
 * without the cookie. A removal with any other cause (`explicit`, `expired`,
 * `evicted`, `expired_overwrite`: overwritten by an already expired cookie)
 * is a deletion.
 */

/** A cookie as chrome.cookies gives it (the fields jarsync reads). */
export interface ExtensionCookie {
  readonly name: string;
  readonly value: string;
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: 'no_restriction' | 'lax' | 'strict' | 'unspecified';
  readonly session: boolean;
  readonly expirationDate?: number;
}

export interface OnChangedInfo {
  readonly removed: boolean;
  readonly cookie: ExtensionCookie;
  readonly cause: string;
}

/** What jarsync's POST /api/interceptor/cookies takes. */
export type WireChange =
  | { readonly kind: 'set'; readonly cookie: WireCookie; readonly at: number }
  | { readonly kind: 'remove'; readonly cookie: { readonly domain: string; readonly path: string; readonly name: string }; readonly at: number };

export interface WireCookie {
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly name: string;
  readonly value: string;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: ExtensionCookie['sameSite'];
  readonly session: boolean;
  readonly expirationDate?: number;
}

/** Changes per request, and bytes per request: jarsync reads bodies up to 64 KB. */
export const MAX_BATCH_CHANGES = 200;
export const MAX_BATCH_BYTES = 48 * 1024;

export function wireCookie(cookie: ExtensionCookie): WireCookie {
  const base = {
    domain: cookie.domain,
    hostOnly: cookie.hostOnly,
    path: cookie.path,
    name: cookie.name,
    value: cookie.value,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    session: cookie.session,
  };
  return cookie.expirationDate === undefined || cookie.session ? base : { ...base, expirationDate: cookie.expirationDate };
}

function keyOf(cookie: { readonly domain: string; readonly path: string; readonly name: string }): string {
  return JSON.stringify([cookie.domain, cookie.path, cookie.name]);
}

/** Splits changes into batches within MAX_BATCH_CHANGES and MAX_BATCH_BYTES, in order. */
export function batches(changes: readonly WireChange[]): WireChange[][] {
  const queue = new ChangeQueue();
  queue.putBack(changes);
  const out: WireChange[][] = [];
  for (let batch = queue.take(); batch.length > 0; batch = queue.take()) out.push(batch);
  return out;
}

export class ChangeQueue {
  #waiting: WireChange[] = [];
  /** Overwrite removals waiting for their insert, by cookie key, with their place in #waiting. */
  readonly #overwrites = new Map<string, number>();

  get size(): number {
    return this.#waiting.length;
  }

  push(info: OnChangedInfo, at: number): void {
    const key = keyOf(info.cookie);
    if (info.removed) {
      const removal: WireChange = { kind: 'remove', cookie: { domain: info.cookie.domain, path: info.cookie.path, name: info.cookie.name }, at };
      if (info.cause === 'overwrite') this.#overwrites.set(key, this.#waiting.length);
      this.#waiting.push(removal);
      return;
    }
    const set: WireChange = { kind: 'set', cookie: wireCookie(info.cookie), at };
    const index = this.#overwrites.get(key);
    if (index !== undefined) {
      // The insert of an overwrite: it takes the removal's place.
      this.#overwrites.delete(key);
      this.#waiting[index] = set;
      return;
    }
    this.#waiting.push(set);
  }

  /** Takes the next batch to send, within MAX_BATCH_CHANGES and MAX_BATCH_BYTES; empty when nothing waits. */
  take(): WireChange[] {
    const batch: WireChange[] = [];
    let bytes = 0;
    while (this.#waiting.length > 0 && batch.length < MAX_BATCH_CHANGES) {
      const next = this.#waiting[0];
      if (next === undefined) break;
      const size = JSON.stringify(next).length + 1;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      batch.push(next);
      bytes += size;
      this.#waiting.shift();
    }
    // Places of overwrites still waiting move with the queue.
    for (const [key, index] of this.#overwrites) {
      if (index < batch.length) this.#overwrites.delete(key);
      else this.#overwrites.set(key, index - batch.length);
    }
    return batch;
  }

  /** Puts a batch that could not be sent back in front, to go with the next one. */
  putBack(batch: readonly WireChange[]): void {
    this.#waiting = [...batch, ...this.#waiting];
    for (const [key, index] of this.#overwrites) this.#overwrites.set(key, index + batch.length);
  }

  clear(): void {
    this.#waiting = [];
    this.#overwrites.clear();
  }
}

/** The host a domain rule of jarsync's names (`https://shop.example.com:8443` → `shop.example.com`). */
export function ruleHost(rule: string): string {
  const host = rule.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** The host permissions a rule needs: its host, and its subdomains for a bare domain rule. */
export function originsFor(rule: string): string[] {
  const host = ruleHost(rule);
  const exact = /^[a-z]+:\/\//.test(rule) || /^[\d.]+$/.test(host) || host.includes(':');
  const hostPattern = host.includes(':') ? `[${host}]` : host;
  return exact ? [`*://${hostPattern}/*`] : [`*://${hostPattern}/*`, `*://*.${hostPattern}/*`];
}
