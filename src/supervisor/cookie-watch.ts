/**
 * Watching the jar for one cookie: every change of it as a stream
 * (`cookie$`), and a promise for its arrival (`waitForCookie`), which the
 * admin API's long poll (`GET /api/cookies/wait`) and `jarsync wait` use.
 *
 *   cookies$ ──filter(name, domain or under it)──▶ cookie$            (every type: added … expired)
 *
 *   waitForCookie:  subscribe to cookie$ ─▶ ask the jar what it holds now
 *                   ├─ held, changed after changedSince ─────────────▶ resolve at once
 *                   ├─ an added/updated change arrives (same test) ──▶ resolve
 *                   └─ timeout ─▶ JARSYNC_ERR_WAIT_TIMEOUT   abort ─▶ the signal's reason   jar closes ─▶ NOT_RUNNING
 *
 * It subscribes before it asks the jar, so a change applied between the two
 * is seen on the stream rather than lost. "Changed" is the cookie's
 * `lastAccessed`: the jar sets it to when it saw the header that last changed
 * the cookie, and never moves it on reads, so it survives restarts too.
 */
import { filter, Subscription, type Observable } from 'rxjs';
import type { CookieChange, SerializedCookie } from '../actors/cookie-change.ts';
import { JarsyncError } from '../errors.ts';
import { validateFilter } from '../store/read-jar.ts';

/** Which cookie to watch. */
export interface CookieQuery {
  /** The cookie's domain is this one or under it (as CookieFilter.domain). */
  readonly domain: string;
  /** The cookie's name, exactly. */
  readonly name: string;
}

export interface WaitForCookieOptions extends CookieQuery {
  /**
   * Only a cookie changed strictly after this moment counts (ms since the
   * epoch, or a Date), so a script can ignore a cookie left from an earlier
   * login, and wait again with the `lastAccessed` of the cookie it got.
   * Defaults to any time: a matching cookie the jar holds answers at once.
   */
  readonly changedSince?: number | Date;
  /** How long to wait. Defaults to DEFAULT_WAIT_TIMEOUT_MS (30 s); `Infinity` waits as long as the jar runs. */
  readonly timeoutMs?: number;
  /** Stops waiting; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;

/** What waiting needs of the supervisor. */
export interface WatchedJar {
  readonly cookies$: Observable<CookieChange>;
  cookies(filter: { readonly domain: string }): Promise<SerializedCookie[]>;
}

/** Checks a query and makes its domain canonical (JARSYNC_ERR_BAD_DOMAIN, JARSYNC_ERR_BAD_REQUEST). */
export function checkQuery(query: CookieQuery): CookieQuery {
  if (typeof query.name !== 'string' || query.name === '') throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'A cookie name is needed.');
  const domain = validateFilter({ domain: query.domain }).domain;
  if (domain === null) throw new JarsyncError('JARSYNC_ERR_BAD_DOMAIN', 'A domain is needed.');
  return { domain, name: query.name };
}

/** Whether a cookie is the one a (checked) query names. */
export function matchesQuery(cookie: SerializedCookie, query: CookieQuery): boolean {
  const domain = cookie.domain;
  return cookie.key === query.name && domain !== undefined && (domain === query.domain || domain.endsWith(`.${query.domain}`));
}

/** Every change of the cookies a query names. */
export function watchCookie(cookies$: Observable<CookieChange>, query: CookieQuery): Observable<CookieChange> {
  const checked = checkQuery(query);
  return cookies$.pipe(filter((change) => matchesQuery(change.cookie, checked)));
}

/** When the jar last changed a cookie, in ms; 0 when not known. */
export function changedAt(cookie: SerializedCookie): number {
  const time = cookie.lastAccessed === undefined ? NaN : Date.parse(cookie.lastAccessed);
  return Number.isNaN(time) ? 0 : time;
}

export function waitForCookie(jar: WatchedJar, options: WaitForCookieOptions): Promise<SerializedCookie> {
  return new Promise<SerializedCookie>((resolve, reject) => {
    const query = checkQuery(options);
    const since = options.changedSince === undefined ? -Infinity : Number(options.changedSince);
    if (Number.isNaN(since)) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'changedSince must be a time in ms or a valid Date.');
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    if (!(timeoutMs >= 0)) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `timeoutMs must be 0 or more (got ${timeoutMs}).`);
    const signal = options.signal;
    if (signal?.aborted === true) throw signal.reason;

    const fresh = (cookie: SerializedCookie): boolean => matchesQuery(cookie, query) && changedAt(cookie) > since;
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      subscription.unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void => {
      const reason: unknown = signal?.reason;
      finish(() => {
        reject(reason instanceof Error ? reason : new Error(String(reason)));
      });
    };
    // Made first: a stream that has completed already calls `complete` inside subscribe().
    const subscription = new Subscription();
    subscription.add(jar.cookies$.subscribe({
      next: (change) => {
        if ((change.type === 'added' || change.type === 'updated') && fresh(change.cookie)) {
          finish(() => {
            resolve(change.cookie);
          });
        }
      },
      complete: () => {
        finish(() => {
          reject(new JarsyncError('JARSYNC_ERR_NOT_RUNNING', `jarsync closed while waiting for the cookie ${query.name} of ${query.domain}.`));
        });
      },
    }));
    if (subscription.closed) return;
    signal?.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        finish(() => {
          reject(new JarsyncError('JARSYNC_ERR_WAIT_TIMEOUT', `No cookie ${query.name} of ${query.domain} changed within ${timeoutMs} ms.`));
        });
      }, timeoutMs);
    }
    // Through a promise, so that a jar that throws (not running) rejects here and cleans up.
    Promise.resolve()
      .then(() => jar.cookies({ domain: query.domain }))
      .then(
      (held) => {
        if (subscription.closed) return;
        // Of several (one per path or subdomain), the most recently changed.
        const newest = held.filter(fresh).sort((a, b) => changedAt(b) - changedAt(a))[0];
        if (newest !== undefined) {
          finish(() => {
            resolve(newest);
          });
        }
      },
      (error: unknown) => {
        if (!subscription.closed) {
          finish(() => {
            reject(error instanceof Error ? error : new Error(String(error)));
          });
        }
      },
    );
  });
}
