/**
 * Cookies straight from a running Chromium or Chrome over the DevTools
 * protocol (`--remote-debugging-port`), no proxy and no CA involved:
 *
 *   GET <endpoint>/json/version ──▶ webSocketDebuggerUrl ──▶ CdpConnection (browser target)
 *     Storage.getCookies ──▶ snapshot ──diff against the last one──▶ set / remove changes ──▶ apply (source `cdp`)
 *     Target.setAutoAttach { flatten } ──▶ every page ──▶ Network.enable
 *        Network.responseReceivedExtraInfo / requestWillBeSentExtraInfo ──▶ a read soon (cookies just changed)
 *     every pollIntervalMs ──▶ a read (page script sets cookies without any event)
 *   socket closed (browser quit or restarted) ──▶ disconnected ──▶ retried, backing off to RETRY_MAX_MS
 *
 * The protocol has no cookie-change event, and the ExtraInfo events carry
 * the Set-Cookie lines but not what the browser made of them (blocked,
 * overwritten, partitioned): so each of them only prompts a read of the
 * browser's cookie store, and the jar gets what the browser holds, not what
 * a header said. The last snapshot is kept across reconnects, so cookies a
 * browser lost while it restarted (session cookies) are removed from the jar.
 */
import { JarsyncError } from '../errors.ts';
import type { BrowserCookie, BrowserCookieChange } from '../browser-cookie.ts';
import { canonicalCookieDomain } from '../browser-cookie.ts';
import { CdpConnection, type CdpEvent } from './cdp-connection.ts';
import { DEFAULT_CDP_POLL_INTERVAL_MS } from './cdp-endpoint.ts';
import { cdpCookieId, cookieFromCdp } from './cdp-cookie.ts';

/** A read prompted by network events waits this long, so a burst of responses makes one read. */
const PROMPTED_READ_DELAY_MS = 50;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
/** Reading /json/version: a browser that does not answer within this is not there. */
const VERSION_TIMEOUT_MS = 5_000;

export type CdpState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface CdpStatus {
  /** The DevTools HTTP endpoint, as given (`http://127.0.0.1:9222`). */
  readonly endpoint: string;
  readonly state: CdpState;
  /** The browser's product and version (`Chrome/131.0.6778.85`), once connected. */
  readonly browser: string | null;
  /** Why the last attempt or connection ended; null while connected. */
  readonly reason: string | null;
  readonly connectedAt: number | null;
  /** When the browser's cookies were last read in full. */
  readonly lastSyncAt: number | null;
  /** Times connected after the first. */
  readonly reconnects: number;
  /** Page targets attached now. */
  readonly targets: number;
  /** Cookies the browser held at the last read (every domain; only synced ones reach the jar). */
  readonly cookies: number;
}

export interface CdpSyncOptions {
  /** `http://host:port` of the browser's DevTools endpoint. */
  readonly endpoint: string;
  /** Takes changes to the browser's cookies; resolves once the jar has them. */
  readonly apply: (changes: readonly BrowserCookieChange[]) => Promise<void>;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Defaults to DEFAULT_CDP_POLL_INTERVAL_MS. */
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
}

export class CdpSync {
  readonly #options: CdpSyncOptions;
  readonly #now: () => number;
  readonly #pollIntervalMs: number;
  #state: CdpState = 'connecting';
  #browser: string | null = null;
  #reason: string | null = null;
  #connectedAt: number | null = null;
  #lastSyncAt: number | null = null;
  #connections = 0;
  #connection: CdpConnection | null = null;
  readonly #sessions = new Set<string>();
  /** The browser's cookies at the last read, by the browser's own key. */
  #snapshot = new Map<string, { readonly cookie: BrowserCookie; readonly text: string }>();
  #retryMs = RETRY_MIN_MS;
  #retryTimer: NodeJS.Timeout | null = null;
  #pollTimer: NodeJS.Timeout | null = null;
  #promptTimer: NodeJS.Timeout | null = null;
  /** One read at a time; a read asked for during one runs after it. */
  #reading: Promise<void> | null = null;
  #readAgain = false;

  constructor(options: CdpSyncOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_CDP_POLL_INTERVAL_MS;
    if (!Number.isInteger(this.#pollIntervalMs) || this.#pollIntervalMs < 10) {
      throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `cdpPollIntervalMs: must be an integer of at least 10 (got ${String(options.pollIntervalMs)})`);
    }
  }

  /** Starts connecting; it keeps trying until close(). */
  start(): void {
    void this.#connect();
  }

  status(): CdpStatus {
    return {
      endpoint: this.#options.endpoint,
      state: this.#state,
      browser: this.#browser,
      reason: this.#reason,
      connectedAt: this.#connectedAt,
      lastSyncAt: this.#lastSyncAt,
      reconnects: Math.max(0, this.#connections - 1),
      targets: this.#sessions.size,
      cookies: this.#snapshot.size,
    };
  }

  /** Sends every cookie the browser holds again at the next read (the domain list changed). */
  resync(): void {
    this.#snapshot = new Map();
    this.#prompt();
  }

  /** Reads the browser's cookies now and resolves once the jar has the changes (tests, flush). */
  async syncNow(): Promise<void> {
    await this.#read();
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    this.#clearTimers();
    this.#connection?.close();
    this.#connection = null;
    await this.#reading?.catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'connecting';
    try {
      const { url, browser } = await readVersion(this.#options.endpoint);
      const connection = await CdpConnection.open(url, (event) => {
        this.#onEvent(event);
      });
      if (this.#isClosed()) {
        connection.close();
        return;
      }
      this.#connection = connection;
      this.#sessions.clear();
      void connection.closed.then((reason) => {
        this.#onClosed(connection, reason);
      });
      await connection.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
      // Pages open before the auto-attach are attached by hand.
      const { targetInfos } = await connection.send('Target.getTargets');
      for (const info of Array.isArray(targetInfos) ? (targetInfos as Record<string, unknown>[]) : []) {
        if (info['type'] === 'page' && info['attached'] !== true && typeof info['targetId'] === 'string') {
          await connection.send('Target.attachToTarget', { targetId: info['targetId'], flatten: true }).catch(() => undefined);
        }
      }
      this.#browser = browser;
      this.#connections += 1;
      this.#connectedAt = this.#now();
      this.#state = 'connected';
      this.#reason = null;
      this.#retryMs = RETRY_MIN_MS;
      this.#options.log('info', `DevTools: connected to ${browser} at ${this.#options.endpoint}`);
      await this.#read();
      this.#schedulePoll();
    } catch (error) {
      this.#connection?.close();
      this.#connection = null;
      this.#disconnected(error instanceof Error ? error.message : String(error));
    }
  }

  /** Read through a method: the state changes while a connection attempt awaits. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #onClosed(connection: CdpConnection, reason: string): void {
    if (this.#connection !== connection) return;
    this.#connection = null;
    this.#disconnected(reason);
  }

  #disconnected(reason: string): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connected') this.#options.log('warn', `DevTools: ${reason}; reconnecting to ${this.#options.endpoint}`);
    this.#state = 'disconnected';
    this.#reason = reason;
    this.#sessions.clear();
    this.#clearTimers();
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#connect();
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }

  #onEvent(event: CdpEvent): void {
    switch (event.method) {
      case 'Target.attachedToTarget': {
        const sessionId = event.params['sessionId'];
        const info = event.params['targetInfo'] as Record<string, unknown> | undefined;
        if (typeof sessionId !== 'string' || info?.['type'] !== 'page') return;
        this.#sessions.add(sessionId);
        // Network events (the ExtraInfo ones among them) flow only once the domain is enabled on the page.
        void this.#connection?.send('Network.enable', {}, sessionId).catch(() => undefined);
        return;
      }
      case 'Target.detachedFromTarget': {
        const sessionId = event.params['sessionId'];
        if (typeof sessionId === 'string') this.#sessions.delete(sessionId);
        return;
      }
      case 'Network.responseReceivedExtraInfo':
      case 'Network.requestWillBeSentExtraInfo':
        this.#prompt();
        return;
      default:
        return;
    }
  }

  #prompt(): void {
    if (this.#state !== 'connected' || this.#promptTimer !== null) return;
    this.#promptTimer = setTimeout(() => {
      this.#promptTimer = null;
      void this.#read().catch(() => undefined);
    }, PROMPTED_READ_DELAY_MS);
  }

  #schedulePoll(): void {
    if (this.#state !== 'connected') return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      void this.#read()
        .catch(() => undefined)
        .finally(() => {
          this.#schedulePoll();
        });
    }, this.#pollIntervalMs);
  }

  /** Reads the store and applies the difference; reads asked for meanwhile make one more read after it. */
  #read(): Promise<void> {
    if (this.#reading !== null) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      try {
        do {
          this.#readAgain = false;
          await this.#readOnce();
        } while (this.#askedAgain());
      } finally {
        this.#reading = null;
      }
    })();
    return this.#reading;
  }

  /** Read through a method: reads are asked for while one awaits the browser. */
  #askedAgain(): boolean {
    return this.#readAgain && this.#state === 'connected';
  }

  async #readOnce(): Promise<void> {
    const connection = this.#connection;
    if (connection === null) return;
    const at = this.#now();
    const { cookies } = await connection.send('Storage.getCookies');
    const next = new Map<string, { readonly cookie: BrowserCookie; readonly text: string }>();
    for (const raw of Array.isArray(cookies) ? (cookies as unknown[]) : []) {
      const cookie = cookieFromCdp(raw);
      if (cookie !== null) next.set(cdpCookieId(cookie), { cookie, text: JSON.stringify(cookie) });
    }
    const changes: BrowserCookieChange[] = [];
    // The jar keys by domain without the dot: a removal of `.a.com` must not remove the `a.com` still held.
    const heldKeys = new Set([...next.values()].map(({ cookie }) => jarKey(cookie)));
    for (const [id, { cookie }] of this.#snapshot) {
      if (!next.has(id) && !heldKeys.has(jarKey(cookie))) {
        changes.push({ kind: 'remove', cookie: { domain: cookie.domain, path: cookie.path, name: cookie.name }, at });
      }
    }
    for (const [id, entry] of next) {
      if (this.#snapshot.get(id)?.text !== entry.text) changes.push({ kind: 'set', cookie: entry.cookie, at });
    }
    if (changes.length > 0) await this.#options.apply(changes);
    this.#snapshot = next;
    this.#lastSyncAt = at;
  }

  #clearTimers(): void {
    for (const timer of [this.#retryTimer, this.#pollTimer, this.#promptTimer]) if (timer !== null) clearTimeout(timer);
    this.#retryTimer = null;
    this.#pollTimer = null;
    this.#promptTimer = null;
  }
}

function jarKey(cookie: BrowserCookie): string {
  return JSON.stringify([canonicalCookieDomain(cookie.domain), cookie.path, cookie.name]);
}

/** The browser-wide WebSocket URL and the browser's name, from `/json/version`. */
async function readVersion(endpoint: string): Promise<{ readonly url: string; readonly browser: string }> {
  const versionUrl = new URL('/json/version', endpoint);
  let body: unknown;
  try {
    const response = await fetch(versionUrl, { signal: AbortSignal.timeout(VERSION_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new JarsyncError('JARSYNC_ERR_CDP', `Cannot read ${versionUrl.href}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const url = fields['webSocketDebuggerUrl'];
  if (typeof url !== 'string') throw new JarsyncError('JARSYNC_ERR_CDP', `${versionUrl.href} names no webSocketDebuggerUrl.`);
  return { url, browser: typeof fields['Browser'] === 'string' ? fields['Browser'] : 'a browser' };
}
