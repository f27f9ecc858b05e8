/**
 * The jar actor: the one writer of the cookie jar.
 *
 *   tell(CookieEvent) ─┐
 *   cookies(), cookieHeader(), deleteCookies(), setCookieFromApi() ─┤
 *                      ▼
 *   Mailbox (FIFO, bounded, processed in slices) ──▶ apply, one message at a time
 *                                                      │  browser-policy checks → tough-cookie CookieJar
 *                                                      ├─▶ onChange(CookieChange) / onRefused(CookieRefusal)
 *                                                      └─▶ dirty set ──(every flushIntervalMs, flush(), close())──▶ JarStore.commit
 *   expiry timer (one, aimed at the nearest expiry) ──▶ `expired` changes
 *
 * Everything that reads or changes the jar goes through the mailbox, in order,
 * so a query sees every event told before it and nothing races.
 */
import { Cookie } from 'tough-cookie';
import type { CookieEvent } from '../cookie-event.ts';
import { JarsyncError } from '../errors.ts';
import { toCookieHeader } from '../formats/cookie-header.ts';
import { keyIdentity, keyOf, type CookieKey, type CookieOrigin, type JarStore, type StoredCookie } from '../store/jar-store.ts';
import {
  createCookieJar,
  expiryTime,
  loadRecords,
  parseHttpUrl,
  putCookie,
  removeCookie,
  selectCookies,
  toSerialized,
  validateFilter,
  type CookieView,
  type JarQueries,
} from '../store/read-jar.ts';
import { expiryOf, judgeSetCookie, requestOrigin, type PolicyRefusal } from './browser-policy.ts';
import {
  REFUSAL_REASONS,
  type ActorStatus,
  type ChangeSource,
  type ChangeType,
  type CookieChange,
  type CookieFilter,
  type CookieRefusal,
  type JarStats,
  type RefusalReason,
  type SerializedCookie,
} from './cookie-change.ts';
import { DEFAULT_MAILBOX_CAPACITY, DEFAULT_SLICE_SIZE, Mailbox } from './mailbox.ts';

/** The timers the actor uses, injectable for tests and for other schedulers. */
export interface ActorTimers {
  /** Calls `callback` once after `ms` milliseconds; the function returned cancels it. */
  readonly setTimeout: (callback: () => void, ms: number) => () => void;
  /** Calls `callback` on a later macrotask: the mailbox's next slice. */
  readonly setImmediate: (callback: () => void) => void;
}

export interface JarActorOptions {
  /** Where the jar is loaded from at open and committed to. */
  readonly store: JarStore;
  /** The clock, in ms since the epoch: expiry, `at` of changes and refusals, commit times. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Defaults to Node's global `setTimeout`/`clearTimeout`/`setImmediate`, looked up at each call (so fake timers apply). */
  readonly timers?: ActorTimers;
  /**
   * Most messages (events and queries) waiting at once. When full, `tell`
   * returns false and counts the refusal, and queries reject with
   * `JARSYNC_ERR_MAILBOX_FULL`; nothing queued is dropped. Defaults to 100,000
   * (about 100 MB of waiting events at worst, and well under a second of work).
   */
  readonly mailboxCapacity?: number;
  /**
   * The longest a change waits before it is committed: the first change after
   * a commit arms a timer for this long, and everything changed until it fires
   * goes in one transaction. Defaults to 50 ms.
   */
  readonly flushIntervalMs?: number;
  /** Messages processed per macrotask before yielding to the event loop. Defaults to 128 (a few ms of work). */
  readonly sliceSize?: number;
  /** The longest `close()` waits for the mailbox and the last commit before giving up on them. Defaults to 10,000 ms. */
  readonly closeTimeoutMs?: number;
  /**
   * Receives every applied change, synchronously, in order. It should not
   * throw; an exception is rethrown on a fresh microtask (an uncaught
   * exception) after the jar's state is consistent. Defaults to none.
   */
  readonly onChange?: (change: CookieChange) => void;
  /** Receives every refused cookie, as `onChange` does changes. Defaults to none. */
  readonly onRefused?: (refusal: CookieRefusal) => void;
  /**
   * Receives every failed load or commit, as a `JARSYNC_ERR_STORE` error. The
   * jar in memory is untouched, and what failed to commit is retried at the next
   * flush (sooner than 5 s). Defaults to none (stats() still counts them).
   */
  readonly onStoreError?: (error: JarsyncError) => void;
}

/** What `setCookieFromApi` did. */
export type ApplyResult =
  | { readonly outcome: 'changed'; readonly change: CookieChange }
  | { readonly outcome: 'unchanged' }
  | { readonly outcome: 'refused'; readonly refusal: CookieRefusal };

export const DEFAULT_FLUSH_INTERVAL_MS = 50;
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** Retries after failed commits back off, doubling, up to this. */
const MAX_RETRY_DELAY_MS = 5000;
/** Node runs a timer longer than 2^31-1 ms at once (with a warning); longer waits are made of several. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

const NODE_TIMERS: ActorTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    return () => {
      clearTimeout(handle);
    };
  },
  setImmediate: (callback) => {
    setImmediate(callback);
  },
};

type Message =
  | { readonly kind: 'event'; readonly event: CookieEvent }
  | { readonly kind: 'call'; readonly run: () => void; readonly cancel: (error: JarsyncError) => void };

/** A cookie the jar holds, with what the actor tracks beside tough-cookie. */
interface Held {
  readonly cookie: Cookie;
  /** Its JSON when stored: what changes report and commits write (tough-cookie's toJSON is costly, so once). */
  readonly json: SerializedCookie;
  readonly key: CookieKey;
  readonly origin: CookieOrigin;
  /** Absolute expiry in ms; Infinity for a session cookie. */
  readonly expiresAt: number;
}

/** What caused a change, for the CookieChange it produces. */
interface Cause {
  readonly source: ChangeSource;
  readonly url: string | null;
  readonly client: string | null;
}

/** A header being applied: a Set-Cookie line or a Cookie header. */
interface Received extends Cause {
  readonly url: string;
  readonly header: string;
  /** When the header was seen: Max-Age counts from here. */
  readonly receivedAt: number;
}

const EXPIRY: Cause = { source: 'expiry', url: null, client: null };
const API: Cause = { source: 'api', url: null, client: null };

/**
 * The jar actor. It applies cookie events as a browser would, keeps the
 * latest cookie per (domain, path, name), removes cookies when they expire,
 * persists changes in batches, and answers queries in order with the events.
 *
 * **Response side** (`source: 'response'`, one Set-Cookie line): the line is
 * refused (reported through `onRefused` with a reason) when a browser would
 * refuse it; see browser-policy.ts and RefusalReason. Otherwise it replaces
 * what the jar holds under its (domain, path, name). A line whose expiry has
 * passed (`Max-Age=0`, `Expires` in the past) deletes that cookie at once.
 *
 * **Request side** (`source: 'request'`, a whole Cookie header): each
 * `name=value` pair that the jar does not hold under that name for that URL
 * (that is, not among the cookies the jar would send to that URL) is added as
 * a host-only cookie for the request's host, with path `/` and no other
 * attributes, except that a `__Secure-` or `__Host-` name is added as Secure
 * (a browser holds such a cookie only with that attribute, so such a pair in a
 * plain-http request is refused as `secure-from-insecure`). A pair never
 * overwrites a cookie the jar holds from a Set-Cookie, nor strips its
 * attributes: when the jar holds a Set-Cookie cookie of that name for that
 * URL, or under the key the pair would take, the pair changes nothing. A
 * cookie the jar holds only because of an earlier request-side pair (it has no
 * attributes to lose) is updated by a later request-side value. When a header
 * repeats a name, the first value the jar does not already hold is the one
 * used, since browsers list the most specific cookie first.
 *
 * **Changes**: `onChange` receives `added`, `updated` (only when the value or
 * an attribute, expiry included, differs: an identical Set-Cookie emits
 * nothing), `deleted` (only for a cookie that was held) and `expired`.
 */
export class JarActor implements JarQueries {
  readonly #store: JarStore;
  readonly #now: () => number;
  readonly #timers: ActorTimers;
  readonly #flushIntervalMs: number;
  readonly #closeTimeoutMs: number;
  readonly #onChange: ((change: CookieChange) => void) | undefined;
  readonly #onRefused: ((refusal: CookieRefusal) => void) | undefined;
  readonly #onStoreError: ((error: JarsyncError) => void) | undefined;
  readonly #mailbox: Mailbox<Message>;
  readonly #view: CookieView = createCookieJar();
  readonly #held = new Map<string, Held>();
  readonly #expiries = new ExpiryQueue();
  /** Keys changed since the last commit; whether each is an upsert or a delete is read from #held at commit time. */
  readonly #dirty = new Map<string, CookieKey>();
  #status: ActorStatus = 'running';
  #loaded: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;
  #timersStopped = false;
  #cancelExpiryTimer: (() => void) | null = null;
  #expiryTimerAt: number | null = null;
  #cancelFlushTimer: (() => void) | null = null;
  #commitTail: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #failedCommits = 0;
  // Counters for stats().
  #events = 0;
  #unchanged = 0;
  #refusedClosed = 0;
  #commits = 0;
  #lastCommitAt: number | null = null;
  #storeErrors = 0;
  #lastStoreError: string | null = null;
  readonly #applied: Record<ChangeType, number> = { added: 0, updated: 0, deleted: 0, expired: 0 };
  readonly #refused = Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, 0])) as Record<RefusalReason, number>;

  private constructor(options: JarActorOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? NODE_TIMERS;
    this.#flushIntervalMs = positiveInteger('flushIntervalMs', options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.#closeTimeoutMs = positiveInteger('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    this.#onChange = options.onChange;
    this.#onRefused = options.onRefused;
    this.#onStoreError = options.onStoreError;
    this.#mailbox = new Mailbox<Message>({
      capacity: options.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY,
      sliceSize: options.sliceSize ?? DEFAULT_SLICE_SIZE,
      schedule: (callback) => {
        this.#timers.setImmediate(callback);
      },
      process: (message) => {
        this.#handle(message);
      },
    });
  }

  /**
   * Opens an actor on `store`: it starts loading the stored cookies at once
   * and accepts messages meanwhile, processing them once the load is done.
   * Cookies that expired while the jar was closed are removed, each with an
   * `expired` change. A failed load is reported through `onStoreError`; the
   * actor then runs with an empty jar and commits only what changes, so the
   * records it could not load stay in the store untouched. Throws
   * `JARSYNC_ERR_BAD_OPTION` for an option out of range.
   */
  static open(options: JarActorOptions): JarActor {
    const actor = new JarActor(options);
    actor.#load();
    return actor;
  }

  get status(): ActorStatus {
    return this.#status;
  }

  /**
   * Queues an event. Returns false when the actor is closing or closed, or
   * when the mailbox is full (the event is then dropped and counted in
   * `stats().mailbox`; a supervisor may log it or slow its producers).
   */
  tell(event: CookieEvent): boolean {
    if (this.#status !== 'running') {
      this.#refusedClosed += 1;
      return false;
    }
    return this.#mailbox.post({ kind: 'event', event });
  }

  /** See CookieFilter. Rejects with `JARSYNC_ERR_BAD_URL` or `JARSYNC_ERR_BAD_DOMAIN` for a bad filter. */
  cookies(filter: CookieFilter = {}): Promise<SerializedCookie[]> {
    return this.#ask(
      () => validateFilter(filter),
      (valid) => selectCookies(this.#view, valid, this.#now()).map(toSerialized),
    );
  }

  /** The Cookie header a browser would send to `url` (HttpOnly cookies included); empty when none. */
  cookieHeader(url: string): Promise<string> {
    return this.#ask(
      () => validateFilter({ url }),
      (valid) => toCookieHeader(selectCookies(this.#view, valid, this.#now())),
    );
  }

  /** Deletes every cookie whose domain is `domain` or under it (every cookie without one); resolves to how many. */
  deleteCookies(filter: { readonly domain?: string } = {}): Promise<number> {
    return this.#ask(
      () => validateFilter(filter.domain === undefined ? {} : { domain: filter.domain }),
      (valid) => {
        const victims = selectCookies(this.#view, valid, this.#now());
        for (const cookie of victims) this.#remove(cookie, 'deleted', API);
        return victims.length;
      },
    );
  }

  /**
   * Applies one Set-Cookie line as if a response from `url` carried it, with
   * the same checks, and reports the change with source `api`.
   */
  setCookieFromApi(setCookieLine: string, url: string): Promise<ApplyResult> {
    return this.#ask(
      () => parseHttpUrl(url),
      (parsed) => this.#applySetCookie(parsed, { source: 'api', url, client: null, header: setCookieLine, receivedAt: this.#now() }),
    );
  }

  /** Commits every change made by the messages queued so far. Rejects with `JARSYNC_ERR_STORE` if the commit fails. */
  async flush(): Promise<void> {
    if (this.#status === 'closed') return;
    await this.#loaded;
    await this.#mailbox.drained();
    await this.#commit();
  }

  stats(): JarStats {
    return {
      status: this.#status,
      cookies: this.#held.size,
      events: this.#events,
      applied: { ...this.#applied },
      unchanged: this.#unchanged,
      refused: { ...this.#refused },
      mailbox: {
        size: this.#mailbox.size,
        capacity: this.#mailbox.capacity,
        refused: this.#mailbox.refused,
        refusedClosed: this.#refusedClosed,
      },
      store: {
        pendingWrites: this.#dirty.size + this.#inFlight,
        commits: this.#commits,
        lastCommitAt: this.#lastCommitAt,
        errors: this.#storeErrors,
        lastError: this.#lastStoreError,
      },
    };
  }

  /**
   * Stops accepting messages, processes what is queued, commits, stops the
   * timers and closes the store. Bounded by `closeTimeoutMs`: past it, queued
   * messages are dropped (queries reject with `JARSYNC_ERR_NOT_RUNNING`) and
   * the store is closed without waiting for the commit. Rejects with
   * `JARSYNC_ERR_STORE` when the last commit failed (the changes it held are
   * lost with the process). Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#status = 'closing';
    let cancelDeadline: () => void = () => undefined;
    const deadline = new Promise<'late'>((resolve) => {
      cancelDeadline = this.#timers.setTimeout(() => {
        resolve('late');
      }, this.#closeTimeoutMs);
    });
    const drained = (async () => {
      await this.#loaded;
      await this.#mailbox.drained();
      return 'done' as const;
    })();
    if ((await Promise.race([drained, deadline])) === 'late') {
      for (const message of this.#mailbox.takeAll()) {
        if (message.kind === 'call') message.cancel(notRunning());
      }
    }
    this.#stopTimers();
    let failure: unknown = null;
    try {
      const committed = this.#commit().then(() => 'done' as const);
      if ((await Promise.race([committed, deadline])) === 'late') {
        failure = new JarsyncError('JARSYNC_ERR_STORE', `The last commit did not finish within ${this.#closeTimeoutMs} ms; the store was closed without it.`);
      }
    } catch (error) {
      failure = error;
    }
    cancelDeadline();
    try {
      await this.#store.close();
    } catch (error) {
      failure ??= error;
    }
    this.#status = 'closed';
    if (failure !== null) throw asStoreError(failure, 'close');
  }

  #load(): void {
    this.#loaded = this.#store
      .load()
      .then(
        (records) => {
          this.#adopt(records);
        },
        (error: unknown) => {
          this.#reportStoreError(asStoreError(error, 'load'));
        },
      )
      .finally(() => {
        this.#mailbox.start();
      });
  }

  #adopt(records: readonly StoredCookie[]): void {
    const { live, expired, unreadable } = loadRecords(records, this.#now());
    for (const { cookie, origin } of live) {
      putCookie(this.#view.store, cookie);
      this.#hold(cookie, origin);
    }
    for (const record of expired) {
      const key = keyOf(record.cookie);
      if (key === null) continue;
      this.#markDirty(keyIdentity(key), key);
      this.#emit('expired', record.cookie, undefined, EXPIRY);
    }
    if (unreadable.length > 0) {
      const sample = JSON.stringify(unreadable[0]?.cookie);
      this.#reportStoreError(
        new JarsyncError('JARSYNC_ERR_STORE', `${unreadable.length} stored cookie(s) could not be read and were left in the store as they are, e.g. ${sample}`),
      );
    }
  }

  #ask<A, T>(prepare: () => A, run: (prepared: A) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // A throw here (a bad argument) rejects the promise before it takes a mailbox slot.
      const prepared = prepare();
      if (this.#status !== 'running') {
        reject(notRunning());
        return;
      }
      const accepted = this.#mailbox.post({
        kind: 'call',
        run: () => {
          try {
            resolve(run(prepared));
          } catch (error) {
            reject(asError(error));
          }
        },
        cancel: reject,
      });
      if (!accepted) {
        reject(new JarsyncError('JARSYNC_ERR_MAILBOX_FULL', `The jar's mailbox holds ${this.#mailbox.capacity} messages; the query was refused.`));
      }
    });
  }

  #handle(message: Message): void {
    // An expiry that is due goes first, even if its timer has not fired yet
    // (timers run late under load): no message sees an expired cookie.
    const next = this.#expiries.peek();
    if (next !== undefined && next.time <= this.#now()) this.#expireDue();
    if (message.kind === 'call') {
      message.run();
      return;
    }
    const event = message.event;
    this.#events += 1;
    const received: Received = {
      source: event.source,
      url: event.url,
      client: event.client,
      header: event.header,
      receivedAt: Number.isFinite(event.at) ? event.at : this.#now(),
    };
    const url = URL.parse(event.url);
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      this.#refuse({ reason: 'bad-url', detail: `not an absolute http: or https: URL: ${event.url}` }, received);
    } else if (event.source === 'response') {
      this.#applySetCookie(url, received);
    } else {
      this.#applyCookieHeader(url, received);
    }
  }

  #applySetCookie(url: URL, received: Received): ApplyResult {
    const cookie = Cookie.parse(received.header, { loose: false });
    if (cookie === undefined) {
      return this.#refuse({ reason: 'parse', detail: 'no name=value pair with a non-empty name before the first ";"' }, received);
    }
    const verdict = judgeSetCookie(cookie, requestOrigin(url));
    if (!verdict.accept) return this.#refuse(verdict, received);
    if (verdict.dropDomain) cookie.domain = null;
    return this.#apply(cookie, url, 'set-cookie', received);
  }

  /** The request-side rule; see the class comment. */
  #applyCookieHeader(url: URL, received: Received): void {
    const origin = requestOrigin(url);
    const values = new Map<string, string[]>();
    for (const pair of received.header.split(';')) {
      if (pair.trim() === '') continue;
      const parsed = Cookie.parse(pair, { loose: false });
      if (parsed === undefined) {
        this.#refuse({ reason: 'parse', detail: `the pair ${JSON.stringify(pair.trim())} is not name=value` }, received);
        continue;
      }
      const list = values.get(parsed.key);
      if (list === undefined) values.set(parsed.key, [parsed.value]);
      else list.push(parsed.value);
    }
    if (values.size === 0) return;
    const sent = new Map<string, Held[]>();
    for (const cookie of selectCookies(this.#view, { url, domain: null }, this.#now())) {
      const held = this.#held.get(identityOf(cookie));
      if (held === undefined) continue;
      const list = sent.get(cookie.key);
      if (list === undefined) sent.set(cookie.key, [held]);
      else list.push(held);
    }
    for (const [name, list] of values) {
      const held = sent.get(name) ?? [];
      let value: string | undefined;
      if (held.length === 0) {
        value = list[0];
      } else if (held.some((cookie) => cookie.origin === 'request')) {
        const heldValues = new Set(held.map((cookie) => cookie.cookie.value));
        value = list.find((candidate) => !heldValues.has(candidate));
      }
      if (value === undefined) continue;
      // The key the pair would take may belong to a Set-Cookie cookie this URL
      // does not see (a Secure one, from plain http): never overwrite it.
      if (this.#held.get(keyIdentity({ domain: origin.host, path: '/', name }))?.origin === 'set-cookie') continue;
      const cookie = new Cookie({ key: name, value, path: '/', secure: /^__(secure|host)-/i.test(name) });
      const verdict = judgeSetCookie(cookie, origin);
      if (!verdict.accept) {
        this.#refuse(verdict, received);
        continue;
      }
      this.#apply(cookie, url, 'request', received);
    }
  }

  /** Stores a cookie that passed the checks, and reports what changed. */
  #apply(cookie: Cookie, url: URL, origin: CookieOrigin, received: Received): ApplyResult {
    // Store an absolute expiry (see SerializedCookie): tough-cookie would count
    // Max-Age from lastAccessed, which every read moves.
    const expiry = expiryOf(cookie, received.receivedAt);
    cookie.maxAge = null;
    cookie.expires = expiry === Infinity ? 'Infinity' : new Date(Math.max(expiry, 0));
    let stored: Cookie | undefined;
    try {
      stored = this.#view.jar.setCookieSync(cookie, url.href, { http: true, now: new Date(received.receivedAt) });
    } catch (error) {
      return this.#refuse({ reason: 'rejected', detail: asError(error).message }, received);
    }
    if (stored === undefined || stored.domain === null || stored.path === null) {
      return this.#refuse({ reason: 'rejected', detail: 'tough-cookie did not store the cookie' }, received);
    }
    const id = identityOf(stored);
    const previous = this.#held.get(id);
    if (expiryTime(stored) <= this.#now()) {
      // RFC 6265 section 5.3 evicts expired cookies "at any time"; tough-cookie
      // would keep this one until a read stumbled on it.
      removeCookie(this.#view.store, { domain: stored.domain, path: stored.path, name: stored.key });
      if (previous === undefined) {
        this.#unchanged += 1;
        return { outcome: 'unchanged' };
      }
      this.#held.delete(id);
      this.#markDirty(id, previous.key);
      return this.#emit('deleted', previous.json, undefined, received);
    }
    const held = this.#hold(stored, origin);
    if (previous === undefined) {
      this.#markDirty(id, held.key);
      return this.#emit('added', held.json, undefined, received);
    }
    if (sameAttributes(previous.json, held.json)) {
      // Nothing a reader can see changed; a request-side cookie confirmed by a
      // Set-Cookie still needs its new origin written.
      if (previous.origin !== origin) this.#markDirty(id, held.key);
      this.#unchanged += 1;
      return { outcome: 'unchanged' };
    }
    this.#markDirty(id, held.key);
    return this.#emit('updated', held.json, previous.json, received);
  }

  /** Records a cookie tough-cookie now holds, and its expiry. */
  #hold(cookie: Cookie, origin: CookieOrigin): Held {
    const key: CookieKey = { domain: cookie.domain ?? '', path: cookie.path ?? '/', name: cookie.key };
    const held: Held = { cookie, json: toSerialized(cookie), key, origin, expiresAt: expiryTime(cookie) };
    const id = keyIdentity(key);
    this.#held.set(id, held);
    if (held.expiresAt !== Infinity) {
      this.#expiries.push(held.expiresAt, id);
      if (this.#expiries.size > 2 * this.#held.size + 1024) this.#rebuildExpiries();
      if (this.#expiryTimerAt === null || held.expiresAt < this.#expiryTimerAt) this.#armExpiryTimer();
    }
    return held;
  }

  #remove(cookie: Cookie, type: 'deleted' | 'expired', cause: Cause): void {
    const id = identityOf(cookie);
    const held = this.#held.get(id);
    if (held === undefined) return;
    removeCookie(this.#view.store, held.key);
    this.#held.delete(id);
    this.#markDirty(id, held.key);
    this.#emit(type, held.json, undefined, cause);
  }

  #expireDue(): void {
    const now = this.#now();
    for (let next = this.#expiries.peek(); next !== undefined && next.time <= now; next = this.#expiries.peek()) {
      this.#expiries.pop();
      const held = this.#held.get(next.id);
      // Entries stay in the queue when a cookie changes; one that no longer
      // matches what is held is skipped here.
      if (held?.expiresAt === next.time) this.#remove(held.cookie, 'expired', EXPIRY);
    }
    this.#armExpiryTimer();
  }

  /** Aims the one expiry timer at the nearest expiry of a held cookie. */
  #armExpiryTimer(): void {
    let next = this.#expiries.peek();
    while (next !== undefined && this.#held.get(next.id)?.expiresAt !== next.time) {
      this.#expiries.pop();
      next = this.#expiries.peek();
    }
    if (next?.time === this.#expiryTimerAt && this.#cancelExpiryTimer !== null) return;
    this.#cancelExpiryTimer?.();
    this.#cancelExpiryTimer = null;
    this.#expiryTimerAt = null;
    if (next === undefined || this.#timersStopped) return;
    const delay = Math.min(Math.max(next.time - this.#now(), 0), MAX_TIMER_DELAY_MS);
    this.#expiryTimerAt = next.time;
    this.#cancelExpiryTimer = this.#timers.setTimeout(() => {
      this.#cancelExpiryTimer = null;
      this.#expiryTimerAt = null;
      this.#expireDue();
    }, delay);
  }

  #rebuildExpiries(): void {
    this.#expiries.clear();
    for (const [id, held] of this.#held) {
      if (held.expiresAt !== Infinity) this.#expiries.push(held.expiresAt, id);
    }
  }

  #markDirty(id: string, key: CookieKey): void {
    this.#dirty.set(id, key);
    this.#armFlushTimer(this.#flushIntervalMs);
  }

  #armFlushTimer(delay: number): void {
    if (this.#cancelFlushTimer !== null || this.#timersStopped) return;
    this.#cancelFlushTimer = this.#timers.setTimeout(() => {
      this.#cancelFlushTimer = null;
      // A failure is reported through onStoreError and retried; nobody awaits this one.
      this.#commit().catch(() => undefined);
    }, delay);
  }

  /** Commits run one at a time, in order, so an older batch can never land after a newer one. */
  #commit(): Promise<void> {
    const run = this.#commitTail.then(() => this.#commitOnce());
    this.#commitTail = run.catch(() => undefined);
    return run;
  }

  async #commitOnce(): Promise<void> {
    if (this.#dirty.size === 0) return;
    this.#cancelFlushTimer?.();
    this.#cancelFlushTimer = null;
    const batch = new Map(this.#dirty);
    this.#dirty.clear();
    const upserts: StoredCookie[] = [];
    const deletes: CookieKey[] = [];
    for (const [id, key] of batch) {
      const held = this.#held.get(id);
      if (held === undefined) deletes.push(key);
      else upserts.push({ cookie: held.json, origin: held.origin });
    }
    this.#inFlight = batch.size;
    try {
      await this.#store.commit({ upserts, deletes });
      this.#commits += 1;
      this.#lastCommitAt = this.#now();
      this.#failedCommits = 0;
    } catch (error) {
      // Keep the batch for the next try, unless a newer change to the same key
      // is already waiting (the commit reads the current state anyway).
      for (const [id, key] of batch) if (!this.#dirty.has(id)) this.#dirty.set(id, key);
      this.#failedCommits += 1;
      const storeError = asStoreError(error, 'commit');
      this.#reportStoreError(storeError);
      this.#armFlushTimer(Math.min(this.#flushIntervalMs * 2 ** (this.#failedCommits - 1), MAX_RETRY_DELAY_MS));
      throw storeError;
    } finally {
      this.#inFlight = 0;
    }
  }

  #stopTimers(): void {
    this.#timersStopped = true;
    this.#cancelExpiryTimer?.();
    this.#cancelExpiryTimer = null;
    this.#expiryTimerAt = null;
    this.#cancelFlushTimer?.();
    this.#cancelFlushTimer = null;
  }

  #emit(type: ChangeType, cookie: SerializedCookie, previous: SerializedCookie | undefined, cause: Cause): ApplyResult {
    this.#applied[type] += 1;
    const base = { type, cookie, source: cause.source, url: cause.url, client: cause.client, at: this.#now() };
    const change: CookieChange = previous === undefined ? base : { ...base, previous };
    notify(this.#onChange, change);
    return { outcome: 'changed', change };
  }

  #refuse(refusal: PolicyRefusal, received: Received): ApplyResult {
    this.#refused[refusal.reason] += 1;
    const report: CookieRefusal = {
      reason: refusal.reason,
      detail: refusal.detail,
      header: received.header,
      url: received.url,
      client: received.client,
      at: this.#now(),
    };
    notify(this.#onRefused, report);
    return { outcome: 'refused', refusal: report };
  }

  #reportStoreError(error: JarsyncError): void {
    this.#storeErrors += 1;
    this.#lastStoreError = error.message;
    notify(this.#onStoreError, error);
  }
}

/**
 * Expiry times with the cookie each belongs to, nearest first: a binary
 * min-heap, so the actor needs one timer (for the top) however many cookies
 * expire. Entries are not removed when a cookie changes; the actor skips the
 * ones that no longer match when they reach the top, and rebuilds the heap
 * when stale entries outnumber live ones.
 */
class ExpiryQueue {
  readonly #times: number[] = [];
  readonly #ids: string[] = [];

  get size(): number {
    return this.#times.length;
  }

  peek(): { readonly time: number; readonly id: string } | undefined {
    const time = this.#times[0];
    const id = this.#ids[0];
    return time === undefined || id === undefined ? undefined : { time, id };
  }

  push(time: number, id: string): void {
    this.#times.push(time);
    this.#ids.push(id);
    let index = this.#times.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.#at(parent) <= time) break;
      this.#swap(index, parent);
      index = parent;
    }
  }

  pop(): void {
    const last = this.#times.length - 1;
    if (last < 0) return;
    this.#swap(0, last);
    this.#times.pop();
    this.#ids.pop();
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.#times.length && this.#at(left) < this.#at(smallest)) smallest = left;
      if (right < this.#times.length && this.#at(right) < this.#at(smallest)) smallest = right;
      if (smallest === index) return;
      this.#swap(index, smallest);
      index = smallest;
    }
  }

  clear(): void {
    this.#times.length = 0;
    this.#ids.length = 0;
  }

  #at(index: number): number {
    return this.#times[index] ?? Infinity;
  }

  #swap(a: number, b: number): void {
    const times = this.#times;
    const ids = this.#ids;
    [times[a], times[b]] = [times[b] ?? Infinity, times[a] ?? Infinity];
    [ids[a], ids[b]] = [ids[b] ?? '', ids[a] ?? ''];
  }
}

function identityOf(cookie: Cookie): string {
  return keyIdentity({ domain: cookie.domain ?? '', path: cookie.path ?? '/', name: cookie.key });
}

/** The fields of a cookie's JSON a reader can see change; `creation` and `lastAccessed` are bookkeeping. */
const ATTRIBUTES = ['key', 'value', 'expires', 'maxAge', 'domain', 'path', 'secure', 'httpOnly', 'hostOnly', 'pathIsDefault', 'sameSite'] as const;

/** Whether two cookies differ only in bookkeeping times: a repeat, not a change. */
function sameAttributes(a: SerializedCookie, b: SerializedCookie): boolean {
  if (ATTRIBUTES.some((name) => a[name] !== b[name])) return false;
  const left = a.extensions ?? [];
  const right = b.extensions ?? [];
  return left.length === right.length && left.every((extension, index) => extension === right[index]);
}

function notify<T>(listener: ((value: T) => void) | undefined, value: T): void {
  if (listener === undefined) return;
  try {
    listener(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function asStoreError(error: unknown, during: 'load' | 'commit' | 'close'): JarsyncError {
  if (error instanceof JarsyncError) return error;
  return new JarsyncError('JARSYNC_ERR_STORE', `The jar store failed during ${during}: ${asError(error).message}`, { cause: error });
}

function notRunning(): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_NOT_RUNNING', 'The jar actor is closing or closed.');
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `The jar actor's ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

