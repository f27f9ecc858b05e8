/**
 * The jar actor's cookies in memory: tough-cookie Cookies in a CookieIndex,
 * each with what the actor tracks beside it, and two views kept in step:
 *
 *   CookieIndex<Held>           (domain, path, name) ──▶ Held   the jar itself; queries read it
 *   SecureCookies<Held>         name ──▶ site ──▶ Held           "leave Secure cookies alone" (browser-policy.ts)
 *   ExpiryQueue<Held>           nearest expiry first             the actor's one expiry timer
 *   changedAt                   domain ──▶ tick of its last change  whether what last-headers.ts remembers still holds
 *
 * A Held is never changed: a cookie that changes is a new Held under the same
 * key. Expiry entries of replaced Helds stay in the queue and are skipped.
 */
import type { Cookie } from 'tough-cookie';
import { CookieIndex, type IndexedCookie } from '../store/cookie-index.ts';
import { expiryTime, toSerialized } from '../store/cookie-records.ts';
import type { CookieKey, CookieOrigin, SerializedCookie } from '../store/jar-store.ts';
import { ExpiryQueue } from './expiry-queue.ts';
import { SecureCookies } from './secure-cookies.ts';

/**
 * A cookie the jar holds, with what the actor tracks beside tough-cookie. It
 * is its own CookieKey (domain, path, name), which is what the commit batcher
 * is told when it changes.
 */
export interface Held extends CookieKey, IndexedCookie {
  /** Its JSON: what changes report and commits write, made once. */
  readonly json: SerializedCookie;
  readonly origin: CookieOrigin;
  /**
   * When the newest header that wrote or confirmed this cookie was seen (the
   * event's `at`); 0 when not known (loaded from the store). The one field of
   * a Held that changes: an identical header seen later moves it forward.
   */
  seenAt: number;
}

/** Wraps a cookie tough-cookie would store (it has a domain and a path) for holding. */
export function makeHeld(cookie: Cookie, origin: CookieOrigin, json: SerializedCookie = toSerialized(cookie), seenAt = 0): Held {
  return {
    seenAt,
    domain: cookie.domain ?? '',
    path: cookie.path ?? '/',
    name: cookie.key,
    cookie,
    json,
    origin,
    expiresAt: expiryTime(cookie),
    hostOnly: cookie.hostOnly === true,
    secure: cookie.secure,
  };
}

/**
 * Deletions remembered, for telling a late header from a new one (see
 * {@link HeldCookies.deletedAfter}). Events reach the jar at most a few batches
 * late, so a minute of deletions is plenty; the count bounds the memory.
 */
const TOMBSTONE_MS = 60_000;
const TOMBSTONE_MAX = 10_000;

/**
 * How long after a deletion a request that still carries the deleted value
 * is taken for one the browser sent before it learned of the deletion. A
 * browser sends a request on one connection while the response that deletes
 * the cookie is on its way on another; the proxy can see the response first
 * (it passes through before the browser acts on it) and the request a moment
 * later. A browser that has applied the deletion never sends the old value
 * again unless something sets it anew, and a Set-Cookie doing so is seen as
 * such; only a page script re-setting the very same value within this window
 * would be missed.
 */
export const REQUEST_AFTER_DELETION_MS = 5_000;

interface Tombstone {
  readonly at: number;
  readonly value: string;
}

/** Domains whose last change is remembered; past it the record (and every memo that relies on it) starts afresh. */
const CHANGES_MEMO_SIZE = 100_000;

export class HeldCookies {
  readonly index = new CookieIndex<Held>();
  readonly #secure = new SecureCookies<Held>();
  readonly #expiries = new ExpiryQueue<Held>();
  /** Grows by one with every change. */
  #tick = 0;
  /** When (tick) each domain's cookies last changed. */
  readonly #changedAt = new Map<string, number>();
  #generation = 0;
  /** When each recently deleted key's deleting header was seen, oldest first. */
  readonly #tombstones = new Map<string, Tombstone>();

  get size(): number {
    return this.index.size;
  }

  get(domain: string, path: string, name: string): Held | undefined {
    return this.index.get(domain, path, name);
  }

  /** A count of changes so far: a memo made at one tick is valid while no domain it read changed after it. */
  get tick(): number {
    return this.#tick;
  }

  /** Changes when the record of changes starts afresh: memos of an older generation are void. */
  get generation(): number {
    return this.#generation;
  }

  /** The tick of the last change to a cookie of exactly this domain; 0 if none since the record began. */
  changedAt(domain: string): number {
    return this.#changedAt.get(domain) ?? 0;
  }

  /** Holds `held`, replacing what its key held; returns that. */
  put(held: Held): Held | undefined {
    this.#touch(held.domain);
    const previous = this.index.set(held);
    if (previous?.cookie.secure === true) this.#secure.delete(previous);
    if (held.cookie.secure) this.#secure.add(held);
    if (held.expiresAt !== Infinity) {
      this.#expiries.push(held.expiresAt, held);
      if (this.#expiries.size > 2 * this.index.size + 1024) this.#rebuildExpiries();
    }
    return previous;
  }

  /** Stops holding `held` (when it is what its key holds). */
  remove(held: Held): void {
    if (!this.index.holds(held)) return;
    this.#touch(held.domain);
    this.index.delete(held.domain, held.path, held.name);
    if (held.cookie.secure) this.#secure.delete(held);
  }

  /** Remembers that the cookie under this key was deleted by a header seen at `at` (or by the clock at `at`). */
  tombstone(key: CookieKey, at: number, value: string): void {
    const id = tombstoneId(key.domain, key.path, key.name);
    this.#tombstones.delete(id);
    this.#tombstones.set(id, { at, value });
    for (const [oldest, { at: when }] of this.#tombstones) {
      if (this.#tombstones.size <= TOMBSTONE_MAX && when >= at - TOMBSTONE_MS) break;
      this.#tombstones.delete(oldest);
    }
  }

  /**
   * Whether the cookie under this key was deleted by something seen after
   * `at`: a header seen before the deletion but arriving after it (from
   * another worker, or a request sent before the response that deleted the
   * cookie) must not bring the cookie back.
   */
  deletedAfter(domain: string, path: string, name: string, at: number): boolean {
    const deleted = this.#tombstones.get(tombstoneId(domain, path, name));
    return deleted !== undefined && deleted.at > at;
  }

  /**
   * Whether a request seen at `at` carrying `value` for this cookie is one sent
   * before the browser applied the deletion the jar saw shortly before it
   * (see REQUEST_AFTER_DELETION_MS): the deleted value, within the window.
   */
  carriesDeletedValue(domain: string, path: string, name: string, at: number, value: string): boolean {
    const deleted = this.#tombstones.get(tombstoneId(domain, path, name));
    return deleted?.value === value && at - deleted.at <= REQUEST_AFTER_DELETION_MS;
  }

  /** The Secure cookies held under `name` whose domain may be related to `domain` (see SecureCookies). */
  secureRelated(name: string, domain: string): Iterable<Held> {
    return this.#secure.related(name, domain);
  }

  /**
   * The nearest expiry in the queue, replaced cookies' included: a cheap
   * lower bound of {@link nextExpiry}, for a check on every message.
   */
  earliestExpiry(): number {
    return this.#expiries.peekTime();
  }

  /** When the nearest held cookie expires; Infinity when none does. */
  nextExpiry(): number {
    this.#expiries.pruneTop((time, held) => held.expiresAt !== time || !this.index.holds(held));
    return this.#expiries.peekTime();
  }

  /** Takes the next held cookie whose expiry is at or before `now`, or undefined. */
  takeExpired(now: number): Held | undefined {
    if (this.nextExpiry() > now) return undefined;
    const held = this.#expiries.peek();
    this.#expiries.pop();
    return held;
  }

  #touch(domain: string): void {
    if (this.#changedAt.size >= CHANGES_MEMO_SIZE) {
      this.#changedAt.clear();
      this.#generation += 1;
    }
    this.#tick += 1;
    this.#changedAt.set(domain, this.#tick);
  }

  #rebuildExpiries(): void {
    this.#expiries.clear();
    for (const held of this.index.values()) {
      if (held.expiresAt !== Infinity) this.#expiries.push(held.expiresAt, held);
    }
  }
}

function tombstoneId(domain: string, path: string, name: string): string {
  return `${domain}\u0000${path}\u0000${name}`;
}
