/**
 * The jar actor: the one writer of the cookie jar.
 *
 *   tell(CookieEvent) ─┐
 *   cookies(), cookieHeader(), deleteCookies(), deleteCookie(), setCookieFromApi() ─┤
 *   applyBrowserCookies() (apply-browser-cookie.ts) ─┤
 *                      ▼
 *   Mailbox (FIFO, bounded, processed in slices) ──▶ one message at a time:
 *      response event ──▶ applySetCookie     (apply-set-cookie.ts)  ─┐  browser-policy checks,
 *      request event  ──▶ applyCookieHeader  (apply-cookie-header.ts)─┤  CookieWriter ──▶ HeldCookies
 *                           (only what differs from LastHeaders)      │
 *      query, API call ──▶ cookie-query.ts over HeldCookies           │       ├─▶ onChange / onRefused
 *                                                                     │       └─▶ CommitBatcher ──▶ JarStore.commit
 *   expiry timer (one, aimed at the nearest expiry) ──▶ `expired` changes
 *
 * Everything that reads or changes the jar goes through the mailbox, in order,
 * so a query sees every event told before it and nothing races.
 */
import type { BrowserCookieBatch } from '../browser-cookie.ts';
import type { CookieEvent } from '../cookie-event.ts';
import { JarsyncError } from '../errors.ts';
import { toCookieHeader } from '../formats/cookie-header.ts';
import { parseHttpUrl, selectCookies, validateFilter, type JarQueries } from '../store/cookie-query.ts';
import { loadRecords } from '../store/cookie-records.ts';
import { keyOf, type CookieKey, type JarStore, type StoredCookie } from '../store/jar-store.ts';
import { requestTarget, targetOf } from '../store/request-target.ts';
import { NODE_TIMERS, type ActorTimers } from './actor-timers.ts';
import { applyBrowserCookie } from './apply-browser-cookie.ts';
import { applyCookieHeader } from './apply-cookie-header.ts';
import { applySetCookie } from './apply-set-cookie.ts';
import { asStoreError, CommitBatcher } from './commit-batcher.ts';
import type { ActorStatus, CookieFilter, JarStats, SerializedCookie } from './cookie-change.ts';
import { CookieWriter, notify, type ApplyResult, type Cause, type Received } from './cookie-writer.ts';
import { ExpiryTimer } from './expiry-timer.ts';
import { HeldCookies, makeHeld } from './held-cookies.ts';
import { LastHeaders } from './last-headers.ts';
import { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_FLUSH_INTERVAL_MS, positiveInteger, type JarActorOptions } from './jar-actor-options.ts';
import { DEFAULT_MAILBOX_CAPACITY, DEFAULT_SLICE_SIZE, Mailbox } from './mailbox.ts';

export type { ActorTimers, ApplyResult, JarActorOptions };
export { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_FLUSH_INTERVAL_MS };

/**
 * A query or API call waiting in the mailbox behind the events told before
 * it. Events go into the mailbox as they are, unwrapped: telling one
 * allocates nothing.
 */
class PendingCall {
  readonly run: () => void;
  readonly cancel: (error: JarsyncError) => void;

  constructor(run: () => void, cancel: (error: JarsyncError) => void) {
    this.run = run;
    this.cancel = cancel;
  }
}

type Message = CookieEvent | PendingCall;

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
 * See apply-set-cookie.ts.
 *
 * **Request side** (`source: 'request'`, a whole Cookie header): each pair
 * the jar does not hold for that URL is added as a host-only cookie for the
 * request's host, path `/`; a pair never overwrites a cookie the jar holds
 * from a Set-Cookie. See apply-cookie-header.ts for the whole rule.
 *
 * **Changes**: `onChange` receives `added`, `updated` (only when the value or
 * an attribute, expiry included, differs: an identical Set-Cookie emits
 * nothing), `deleted` (only for a cookie that was held) and `expired`.
 */
export class JarActor implements JarQueries {
  readonly #store: JarStore;
  readonly #now: () => number;
  readonly #timers: ActorTimers;
  readonly #closeTimeoutMs: number;
  readonly #onStoreError: ((error: JarsyncError) => void) | undefined;
  readonly #mailbox: Mailbox<Message>;
  readonly #held = new HeldCookies();
  readonly #lastHeaders = new LastHeaders(this.#held);
  readonly #writer: CookieWriter;
  readonly #commits: CommitBatcher;
  #status: ActorStatus = 'running';
  #loaded: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;
  readonly #expiryTimer: ExpiryTimer;
  // Counters for stats() (the writer counts changes and refusals).
  #events = 0;
  #refusedClosed = 0;
  #storeErrors = 0;
  #lastStoreError: string | null = null;
  #lastStoreErrorAt: number | null = null;

  private constructor(options: JarActorOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? NODE_TIMERS;
    const flushIntervalMs = positiveInteger('flushIntervalMs', options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.#closeTimeoutMs = positiveInteger('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
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
      onSlice: options.onRoom,
    });
    this.#commits = new CommitBatcher({
      store: this.#store,
      timers: this.#timers,
      now: this.#now,
      flushIntervalMs,
      current: (key) => {
        const held = this.#held.get(key.domain, key.path, key.name);
        return held === undefined ? null : { cookie: held.json, origin: held.origin };
      },
      onError: (error) => {
        this.#reportStoreError(error);
      },
    });
    this.#expiryTimer = new ExpiryTimer(this.#timers, this.#now, () => {
      this.#expireDue(this.#now());
    });
    this.#writer = new CookieWriter({
      held: this.#held,
      now: this.#now,
      markDirty: (key) => {
        this.#commits.markDirty(key);
      },
      onExpiry: (time) => {
        if (this.#expiryTimer.isNearer(time)) this.#expiryTimer.aim(this.#held.nextExpiry());
      },
      onChange: options.onChange,
      onRefused: options.onRefused,
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
   * when the mailbox is full (counted in `stats().mailbox`): the event is then
   * not queued, and whoever told it may keep it and tell it again once
   * `onRoom` reports room (see `room()`).
   */
  tell(event: CookieEvent): boolean {
    if (this.#status !== 'running') {
      this.#refusedClosed += 1;
      return false;
    }
    return this.#mailbox.post(event);
  }

  /** Messages the mailbox takes before `tell` refuses one; 0 once the actor is closing. */
  room(): number {
    return this.#status === 'running' ? this.#mailbox.room : 0;
  }

  /** See CookieFilter. Rejects with `JARSYNC_ERR_BAD_URL` or `JARSYNC_ERR_BAD_DOMAIN` for a bad filter. */
  cookies(filter: CookieFilter = {}): Promise<SerializedCookie[]> {
    return this.#ask(
      () => validateFilter(filter),
      (valid) => selectCookies(this.#held.index, valid, this.#now()).map((held) => held.json),
    );
  }

  /** The Cookie header a browser would send to `url` (HttpOnly cookies included); empty when none. */
  cookieHeader(url: string): Promise<string> {
    return this.#ask(
      () => validateFilter({ url }),
      (valid) => toCookieHeader(selectCookies(this.#held.index, valid, this.#now()).map((held) => held.json)),
    );
  }

  /** Deletes every cookie whose domain is `domain` or under it (every cookie without one); resolves to how many. */
  deleteCookies(filter: { readonly domain?: string } = {}): Promise<number> {
    return this.#ask(
      () => validateFilter(filter.domain === undefined ? {} : { domain: filter.domain }),
      (valid) => {
        const victims = selectCookies(this.#held.index, valid, this.#now());
        for (const held of victims) this.#writer.remove(held, 'deleted', API);
        return victims.length;
      },
    );
  }

  /** Deletes the one cookie with this (domain, path, name), domain made canonical; resolves to whether the jar held it. */
  deleteCookie(key: CookieKey): Promise<boolean> {
    return this.#ask(
      () => ({ domain: validateFilter({ domain: key.domain }).domain ?? '', path: key.path, name: key.name }),
      ({ domain, path, name }) => {
        const held = this.#held.get(domain, path, name);
        if (held !== undefined) this.#writer.remove(held, 'deleted', API);
        return held !== undefined;
      },
    );
  }

  /**
   * Applies one Set-Cookie line as if a response from `url` carried it, with
   * the same checks, and reports the change with source `api`.
   */
  setCookieFromApi(setCookieLine: string, url: string): Promise<ApplyResult> {
    return this.#ask(
      () => targetOf(parseHttpUrl(url)),
      (target) => applySetCookie(this.#writer, target, { source: 'api', url, client: null, header: setCookieLine, at: this.#now() }),
    );
  }

  /**
   * Applies cookies a browser reports holding, and their removals, in order,
   * as the browser holds them (see apply-browser-cookie.ts); each change
   * carries `batch.source`. The caller has already kept only synced domains.
   */
  applyBrowserCookies(batch: BrowserCookieBatch): Promise<ApplyResult[]> {
    return this.#ask(
      () => batch,
      ({ source, client, changes }) => {
        const now = this.#now();
        return changes.map((change) => applyBrowserCookie(this.#writer, this.#held, change, source, client, now));
      },
    );
  }

  /** Commits every change made by the messages queued so far. Rejects with `JARSYNC_ERR_STORE` if the commit fails. */
  async flush(): Promise<void> {
    if (this.#status === 'closed') return;
    await this.#loaded;
    await this.#mailbox.drained();
    await this.#commits.commit();
  }

  stats(): JarStats {
    const writer = this.#writer;
    return {
      status: this.#status,
      cookies: this.#held.size,
      events: this.#events,
      applied: { ...writer.applied },
      unchanged: writer.unchanged,
      stale: writer.stale,
      refused: { ...writer.refused },
      mailbox: {
        size: this.#mailbox.size,
        capacity: this.#mailbox.capacity,
        refused: this.#mailbox.refused,
        refusedClosed: this.#refusedClosed,
      },
      store: {
        pendingWrites: this.#commits.pending,
        commits: this.#commits.commits,
        lastCommitAt: this.#commits.lastCommitAt,
        errors: this.#storeErrors,
        lastError: this.#lastStoreError,
        lastErrorAt: this.#lastStoreErrorAt,
        failingSince: this.#commits.failingSince,
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
        if (message instanceof PendingCall) message.cancel(notRunning());
      }
    }
    this.#expiryTimer.stop();
    this.#commits.stop();
    let failure: unknown = null;
    try {
      const committed = this.#commits.commit().then(() => 'done' as const);
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
    for (const { cookie, origin } of live) this.#writer.adopt(makeHeld(cookie, origin));
    for (const record of expired) {
      const key = keyOf(record.cookie);
      if (key !== null) this.#writer.expiredRecord(record.cookie, key, EXPIRY);
    }
    if (unreadable.length > 0) {
      // Named by key, never shown whole: the record holds the cookie's value, and this message is logged.
      const first = unreadable[0]?.cookie;
      const sample = JSON.stringify([first?.domain, first?.path, first?.key]);
      this.#reportStoreError(
        new JarsyncError('JARSYNC_ERR_STORE', `${unreadable.length} stored cookie(s) could not be read and were left in the store as they are, e.g. ${sample} (domain, path, name)`),
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
      const call = new PendingCall(() => {
        try {
          resolve(run(prepared));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }, reject);
      if (!this.#mailbox.post(call)) {
        reject(new JarsyncError('JARSYNC_ERR_MAILBOX_FULL', `The jar's mailbox holds ${this.#mailbox.capacity} messages; the query was refused.`));
      }
    });
  }

  #handle(message: Message): void {
    const now = this.#now();
    // An expiry that is due goes first, even if its timer has not fired yet
    // (timers run late under load): no message sees an expired cookie.
    if (this.#held.earliestExpiry() <= now) this.#expireDue(now);
    if (message instanceof PendingCall) {
      message.run();
      return;
    }
    this.#events += 1;
    const received: Received = Number.isFinite(message.at) ? message : { ...message, at: now };
    const target = requestTarget(message.url);
    if (target === null) {
      this.#writer.refuse({ reason: 'bad-url', detail: `not an absolute http: or https: URL: ${message.url}` }, received);
    } else if (message.source === 'response') {
      applySetCookie(this.#writer, target, received);
    } else {
      applyCookieHeader(this.#writer, this.#held, this.#lastHeaders, target, received, now);
    }
  }

  #expireDue(now: number): void {
    for (let held = this.#held.takeExpired(now); held !== undefined; held = this.#held.takeExpired(now)) {
      this.#writer.remove(held, 'expired', EXPIRY);
    }
    this.#expiryTimer.aim(this.#held.nextExpiry());
  }

  #reportStoreError(error: JarsyncError): void {
    this.#storeErrors += 1;
    this.#lastStoreError = error.message;
    this.#lastStoreErrorAt = this.#now();
    notify(this.#onStoreError, error);
  }
}

function notRunning(): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_NOT_RUNNING', 'The jar actor is closing or closed.');
}
