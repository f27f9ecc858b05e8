/**
 * Dashboard sessions: the page at `/?token=…` trades the admin token for a
 * session cookie, so that the token leaves the address bar and the page's own
 * requests carry no secret a script on the page could read.
 *
 *   GET /?token=T ──T right──▶ create() ──▶ 303 Location: /   Set-Cookie: jarsync_session_<port>=<id>; HttpOnly; SameSite=Strict; Path=/
 *   any request  ──▶ find(Cookie header) ──▶ Session | undefined
 *   POST/PUT/DELETE with a session ──▶ csrfMatches(session, X-Jarsync-CSRF)
 *
 * - The id is 256 random bits; only its SHA-256 digest is kept, in memory: a
 *   restart ends every session, and nothing is written to disk.
 * - A session lasts SESSION_LIFETIME_MS from when it was made, however much it
 *   is used; at most MAX_SESSIONS live at once (the oldest goes first), so
 *   trading the token again and again cannot grow memory.
 * - Cookies are not separated by port (RFC 6265 section 8.5): the cookie's
 *   name carries the admin port, so two jarsyncs on one machine do not
 *   overwrite each other's sessions.
 * - Each session has its own CSRF token, handed to the page in its HTML
 *   (`<meta name="jarsync-csrf">`), which the page sends back on every
 *   state-changing request. See SECURITY.md for why both this and the
 *   Origin/Sec-Fetch-Site checks are there.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A working day: a dashboard left open overnight asks for the link again. */
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

/** Sessions alive at once; a person has a few browsers, not hundreds. */
export const MAX_SESSIONS = 64;

/** The header the dashboard sends its CSRF token in. */
export const CSRF_HEADER = 'x-jarsync-csrf';

const ID_BYTES = 32;

export interface Session {
  readonly csrfToken: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

export interface AdminSessionsOptions {
  /** The admin port, read when a cookie is named (it is known once the server listens). */
  readonly port: () => number;
  /** Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Defaults to SESSION_LIFETIME_MS. */
  readonly lifetimeMs?: number;
  /** Defaults to MAX_SESSIONS. */
  readonly maxSessions?: number;
}

export class AdminSessions {
  readonly #port: () => number;
  readonly #now: () => number;
  readonly #lifetimeMs: number;
  readonly #maxSessions: number;
  /** By the digest of the id, oldest first (a Map keeps insertion order). */
  readonly #sessions = new Map<string, Session>();

  constructor(options: AdminSessionsOptions) {
    this.#port = options.port;
    this.#now = options.now ?? Date.now;
    this.#lifetimeMs = options.lifetimeMs ?? SESSION_LIFETIME_MS;
    this.#maxSessions = options.maxSessions ?? MAX_SESSIONS;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The session cookie's name for this admin port. */
  get cookieName(): string {
    return `jarsync_session_${this.#port()}`;
  }

  /** Makes a session; returns it with the Set-Cookie value that hands it to the browser. */
  create(): { readonly session: Session; readonly setCookie: string } {
    this.#sweep();
    while (this.#sessions.size >= this.#maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomBytes(ID_BYTES).toString('base64url');
    const session: Session = { csrfToken: randomBytes(ID_BYTES).toString('base64url'), expiresAt: this.#now() + this.#lifetimeMs };
    this.#sessions.set(digest(id), session);
    const maxAge = Math.floor(this.#lifetimeMs / 1000);
    return { session, setCookie: `${this.cookieName}=${id}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict` };
  }

  /** The live session a request's Cookie header names, if any. */
  find(cookieHeader: string | undefined): Session | undefined {
    for (const id of this.#ids(cookieHeader)) {
      const key = digest(id);
      const session = this.#sessions.get(key);
      if (session === undefined) continue;
      if (session.expiresAt > this.#now()) return session;
      this.#sessions.delete(key);
    }
    return undefined;
  }

  /** Ends the sessions a Cookie header names; returns the Set-Cookie value that removes the cookie. */
  end(cookieHeader: string | undefined): string {
    for (const id of this.#ids(cookieHeader)) this.#sessions.delete(digest(id));
    return `${this.cookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`;
  }

  /** Whether a request's CSRF header carries the session's token (compared in constant time). */
  csrfMatches(session: Session, header: string | undefined): boolean {
    return header !== undefined && timingSafeEqual(createHash('sha256').update(header).digest(), createHash('sha256').update(session.csrfToken).digest());
  }

  /** Every value the Cookie header gives the session cookie (a browser may send more than one). */
  #ids(cookieHeader: string | undefined): string[] {
    if (cookieHeader === undefined) return [];
    const name = this.cookieName;
    const ids: string[] = [];
    for (const pair of cookieHeader.split(';')) {
      const equals = pair.indexOf('=');
      if (equals !== -1 && pair.slice(0, equals).trim() === name) ids.push(pair.slice(equals + 1).trim());
    }
    return ids;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(key);
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
