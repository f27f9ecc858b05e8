/**
 * The supervisor as its users see it: the library API (`createSupervisor`),
 * which the admin API and the CLI drive too.
 */
import type { Observable } from 'rxjs';
import type { CookieChange, CookieFilter, CookieRefusal, JarStats, SerializedCookie } from '../actors/cookie-change.ts';
import type { AddedDomain } from '../domains/domain-list.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import type { ResolvedOptions } from '../options.ts';
import type { WorkerStats } from '../workers/protocol.ts';
import type { CertServiceStats } from './cert-service.ts';
import type { PipelineCounts } from './cookie-pipeline.ts';
import type { CookieQuery, WaitForCookieOptions } from './cookie-watch.ts';
import type { BrowserCookieBatch } from '../browser-cookie.ts';
import type { BrowserSyncResult, InterceptorService, InterceptorStatus } from '../interceptor/interceptor-service.ts';

export interface ProxyState {
  /** Whether the proxy accepts connections. */
  readonly enabled: boolean;
  readonly host: string;
  /** The port it listens on (or will, once enabled). */
  readonly port: number;
}

export interface SupervisorAddresses {
  readonly proxy: ProxyState;
  /** The admin API, always on 127.0.0.1; null when it is off. */
  readonly admin: { readonly host: string; readonly port: number } | null;
  readonly dataDir: string;
  /** The CA certificate devices install. */
  readonly caCertPath: string;
  /** The file holding the admin API's bearer token. */
  readonly adminTokenPath: string;
  /** The code the browser extension is paired with, for this run (`XXXX-XXXX`). */
  readonly pairingCode: string;
}

export interface WorkerStatus extends WorkerStats {
  /** Times this worker slot was restarted after its thread died. */
  readonly restarts: number;
  /** False while a replacement thread starts. */
  readonly alive: boolean;
}

export interface SupervisorStatus {
  readonly state: 'starting' | 'running' | 'closing' | 'closed';
  readonly startedAt: number;
  readonly proxy: ProxyState;
  readonly admin: { readonly host: string; readonly port: number } | null;
  readonly syncing: boolean;
  readonly domains: readonly string[];
  readonly insecureUpstream: boolean;
  readonly dataDir: string;
  readonly workers: readonly WorkerStatus[];
  /**
   * The cookie events on their way to the jar: received, synced, the backlog
   * behind the jar's mailbox (`size`, `peak`, `capacity`, `held`: events that
   * waited in it, `lost`: events it had no room for) and the hold on synced
   * traffic (`hold.engaged`, `times`, `engagedMs`, and its marks).
   */
  readonly events: PipelineCounts;
  readonly jar: JarStats;
  readonly certificates: CertServiceStats;
  /** Browsers as a source: the extension's connection and the DevTools-protocol one (null without `cdp`). */
  readonly interceptor: InterceptorStatus;
}

export interface Supervisor {
  readonly options: ResolvedOptions;
  /** Every change the jar applies, as it applies it. Hot: subscribe before traffic flows. */
  readonly cookies$: Observable<CookieChange>;
  /** Every cookie the jar refuses, with the reason. */
  readonly refused$: Observable<CookieRefusal>;
  /** The domain list, current value first. */
  readonly domains$: Observable<readonly DomainRule[]>;

  /** Loads or creates the CA and the jar, starts the workers, the proxy and the admin API. */
  start(): Promise<SupervisorAddresses>;
  /** Drains: stops accepting, finishes requests in flight (bounded by drainTimeoutMs), flushes the jar, stops every thread. */
  close(): Promise<void>;
  /** Aborts: closes every connection at once, flushes what the jar has applied, stops every thread. */
  destroy(): Promise<void>;

  domains(): readonly DomainRule[];
  /** Adds a domain (JARSYNC_ERR_BAD_DOMAIN when it is not one); takes effect at once. */
  addDomain(input: string): AddedDomain;
  /** Removes a domain; false when it was not on the list. */
  removeDomain(input: string): boolean;

  readonly syncing: boolean;
  /** While syncing is stopped nothing is decrypted or recorded. */
  startSyncing(): void;
  stopSyncing(): void;

  proxyState(): ProxyState;
  /** Enables/disables the proxy or moves it; JARSYNC_ERR_CONFLICT when the port changes while enabled. */
  setProxy(change: { readonly enabled?: boolean; readonly port?: number }): Promise<ProxyState>;

  cookies(filter?: CookieFilter): Promise<SerializedCookie[]>;
  cookieHeader(url: string): Promise<string>;
  deleteCookies(filter?: { readonly domain?: string }): Promise<number>;
  /** Deletes the one cookie with exactly this domain, path and name; false when the jar did not hold it. */
  deleteCookie(key: { readonly domain: string; readonly path: string; readonly name: string }): Promise<boolean>;
  /**
   * Applies one Set-Cookie line as if a response from `url` carried it, with
   * every rule a browser applies: the change (source `api`), or null when the
   * jar already held exactly that. JARSYNC_ERR_COOKIE_REFUSED when the jar
   * refuses it (the reason in the message), JARSYNC_ERR_BAD_URL for a bad URL.
   */
  setCookie(setCookieLine: string, url: string): Promise<CookieChange | null>;
  /** Every change (added, updated, deleted, expired) of the cookies named `name` whose domain is `domain` or under it. */
  cookie$(query: CookieQuery): Observable<CookieChange>;
  /**
   * The cookie named `name` under `domain` once the jar holds one changed after
   * `changedSince`: at once if it does, else when it arrives. Rejects with
   * JARSYNC_ERR_WAIT_TIMEOUT after `timeoutMs` (30 s unless given), and with
   * JARSYNC_ERR_NOT_RUNNING if jarsync closes first (src/supervisor/cookie-watch.ts).
   */
  waitForCookie(options: WaitForCookieOptions): Promise<SerializedCookie>;
  /** Commits what the jar has applied now, without waiting for the flush interval. */
  flush(): Promise<void>;

  status(): Promise<SupervisorStatus>;

  /**
   * Applies cookies a browser reports holding and their removals (source
   * `interceptor` or `cdp`), through the same domain list as the proxy: the
   * changes of domains not synced, or sent while syncing is stopped, are
   * dropped and counted.
   */
  applyBrowserCookies(batch: BrowserCookieBatch): Promise<BrowserSyncResult>;
  /** The extension's pairing, its connection state and the DevTools-protocol sync (src/interceptor/). */
  interceptor(): InterceptorService;

  /**
   * Ends connection worker `index`'s thread now, as a crash would (a fault
   * drill): its connections are lost, nobody else's, and a new thread takes
   * its place on the port. JARSYNC_ERR_NOT_FOUND for an index with no worker.
   */
  terminateWorker(index: number): Promise<void>;
}
