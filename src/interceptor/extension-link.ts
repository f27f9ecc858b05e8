/**
 * What jarsync knows of the browser extension: whether it is there (it sends
 * a heartbeat), when it last synced, and why it went away.
 *
 *   heartbeat / cookies ──▶ seen now ──▶ connected while seen within HEARTBEAT_TIMEOUT_MS
 *   disconnect (Stop Syncing) ──▶ disconnected, "stopped in the extension"
 *   no heartbeat for HEARTBEAT_TIMEOUT_MS ──▶ disconnected, "no heartbeat for 90 s"
 */

/** The extension sends one at least this often (chrome.alarms fire at most every 30 s). */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** Three heartbeats missed: the browser is closed, asleep, or the extension was removed. */
export const HEARTBEAT_TIMEOUT_MS = 3 * HEARTBEAT_INTERVAL_MS;

export interface ExtensionStatus {
  /** `never`: no extension has been heard from since jarsync started. */
  readonly state: 'never' | 'connected' | 'disconnected';
  /** Why it is disconnected; null otherwise. */
  readonly reason: string | null;
  /** When it was last heard from (ms since the epoch). */
  readonly lastSeenAt: number | null;
  /** When it last sent a full sync. */
  readonly lastSyncAt: number | null;
  /** The browser's User-Agent as the extension reported it. */
  readonly browser: string | null;
  /** Scoped tokens handed out (paired extensions). */
  readonly tokens: number;
  /** Cookie changes received, and of them dropped for domains not synced. */
  readonly received: number;
  readonly ignored: number;
}

export class ExtensionLink {
  readonly #now: () => number;
  #lastSeenAt: number | null = null;
  #lastSyncAt: number | null = null;
  #stoppedAt: number | null = null;
  #browser: string | null = null;
  #received = 0;
  #ignored = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The extension was heard from (a heartbeat or cookies). */
  seen(browser: string | undefined): void {
    this.#lastSeenAt = this.#now();
    this.#stoppedAt = null;
    if (browser !== undefined) this.#browser = browser;
  }

  synced(): void {
    this.#lastSyncAt = this.#now();
  }

  counted(received: number, ignored: number): void {
    this.#received += received;
    this.#ignored += ignored;
  }

  /** The extension said it stops (Stop Syncing). */
  stopped(): void {
    this.#stoppedAt = this.#now();
  }

  status(tokens: number): ExtensionStatus {
    const base = { lastSeenAt: this.#lastSeenAt, lastSyncAt: this.#lastSyncAt, browser: this.#browser, tokens, received: this.#received, ignored: this.#ignored };
    if (this.#lastSeenAt === null) return { state: 'never', reason: null, ...base };
    if (this.#stoppedAt !== null) return { state: 'disconnected', reason: 'syncing was stopped in the extension', ...base };
    if (this.#now() - this.#lastSeenAt > HEARTBEAT_TIMEOUT_MS) {
      return { state: 'disconnected', reason: `no heartbeat for ${HEARTBEAT_TIMEOUT_MS / 1000} s`, ...base };
    }
    return { state: 'connected', reason: null, ...base };
  }
}
