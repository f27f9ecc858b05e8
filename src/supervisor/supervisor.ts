/**
 * The supervisor: the main thread's owner of configuration and lifecycle. It
 * never parses request bytes.
 *
 *   start():  data dir ─▶ CA + shared leaf key ─▶ cert service (mint pool)
 *             jar store ─▶ jar actor ◀── cookie pipeline ◀── connection pool (N workers)
 *             admin API (127.0.0.1)
 *   close():  admin API down ─▶ workers drain ─▶ jar flushes and closes ─▶ mint pool stops
 */
import type { Observable } from 'rxjs';
import { JarActor } from '../actors/jar-actor.ts';
import type { CookieChange, CookieFilter, CookieRefusal, SerializedCookie } from '../actors/cookie-change.ts';
import { ensureDataDir, jarPath } from '../data-dir.ts';
import type { AddedDomain } from '../domains/domain-list.ts';
import { DomainList } from '../domains/domain-list.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import { JarsyncError } from '../errors.ts';
import type { ResolvedOptions, SupervisorOptions } from '../options.ts';
import { openProxyWarning, resolveOptions } from '../options.ts';
import type { JarStore } from '../store/jar-store.ts';
import { MemoryJarStore } from '../store/memory-jar-store.ts';
import { SqliteJarStore } from '../store/sqlite-jar-store.ts';
import { loadOrCreateCa } from '../tls/ca.ts';
import { createLeafKey } from '../tls/leaf-key.ts';
import type { ProxySettings } from '../workers/protocol.ts';
import type { BrowserCookieBatch } from '../browser-cookie.ts';
import { InterceptorService, type BrowserSyncResult } from '../interceptor/interceptor-service.ts';
import type { AdminServer } from './admin-server.ts';
import { createAdminServer } from './admin-server.ts';
import { checkDataDir } from './data-dir-check.ts';
import { loadOrCreateAdminToken } from './admin-token.ts';
import type { RunningCertService } from './cert-service.ts';
import { createCertService } from './cert-service.ts';
import { ConnectionPool } from './connection-pool.ts';
import { CookiePipeline } from './cookie-pipeline.ts';
import { waitForCookie, watchCookie, type CookieQuery, type WaitForCookieOptions } from './cookie-watch.ts';
import type { ProxyState, Supervisor, SupervisorAddresses, SupervisorStatus } from './supervisor-api.ts';

/** Parts that exist only while the supervisor runs. */
interface Running {
  readonly certs: RunningCertService;
  readonly jar: JarActor;
  readonly pool: ConnectionPool;
  readonly admin: AdminServer | null;
  readonly adminAddress: { readonly host: string; readonly port: number } | null;
  readonly adminTokenPath: string;
  readonly caCertPath: string;
}

/**
 * The longest close() waits for the backlog to go into the jar: the jar's
 * own close timeout, and some twenty times what a full default backlog takes.
 */
const BACKLOG_SETTLE_MS = 10_000;

type State = 'new' | 'starting' | 'running' | 'closing' | 'closed';

class JarsyncSupervisor implements Supervisor {
  readonly options: ResolvedOptions;
  readonly #domains: DomainList;
  readonly #pipeline: CookiePipeline;
  #state: State = 'new';
  /** Browsers as a source of cookies (extension, DevTools protocol); made at start. */
  #interceptor: InterceptorService | null = null;
  #startedAt = 0;
  #syncing: boolean;
  #proxy: { enabled: boolean; port: number };
  #running: Running | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: SupervisorOptions) {
    this.options = resolveOptions(options);
    this.#domains = new DomainList(this.options.domains.map((rule) => rule.spec));
    this.#pipeline = new CookiePipeline({
      domains: this.#domains.list(),
      backlogCapacity: this.options.backlogCapacity,
      holdHighWater: this.options.holdHighWater,
      holdLowWater: this.options.holdLowWater,
      log: this.options.log,
    });
    this.#syncing = this.options.syncing;
    this.#proxy = { enabled: false, port: this.options.port };
  }

  get cookies$(): Observable<CookieChange> {
    return this.#pipeline.cookies$;
  }

  get refused$(): Observable<CookieRefusal> {
    return this.#pipeline.refused$;
  }

  get domains$(): Observable<readonly DomainRule[]> {
    return this.#pipeline.domains$;
  }

  get syncing(): boolean {
    return this.#syncing;
  }

  async start(): Promise<SupervisorAddresses> {
    if (this.#state !== 'new') throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', `start() was already called (state: ${this.#state})`);
    this.#state = 'starting';
    this.#startedAt = Date.now();
    const { options } = this;
    const parts: { -readonly [K in keyof Running]?: Running[K] } = {};
    let admin: AdminServer | null = null;
    try {
      await ensureDataDir(options.dataDir);
      // A loose mode is tightened with a warning; another owner stops the start (SECURITY.md).
      await checkDataDir(options.dataDir, { log: options.log });
      const ca = await loadOrCreateCa(options.dataDir);
      if (ca.created) options.log('info', `created a new CA at ${ca.certPath}; devices must trust it to be synced over HTTPS`);
      const leafKey = await createLeafKey(options.leafKeyType);
      const certs = createCertService({ ca, leafKey, maxHosts: options.maxCertificates, log: options.log });
      parts.certs = certs;

      const store: JarStore = options.persist ? SqliteJarStore.open(jarPath(options.dataDir)) : new MemoryJarStore();
      const jar = JarActor.open({
        store,
        flushIntervalMs: options.flushIntervalMs,
        mailboxCapacity: options.mailboxCapacity,
        onChange: this.#pipeline.changed,
        onRefused: this.#pipeline.refusedCookie,
        onRoom: this.#pipeline.roomMade,
        onStoreError: (error) => {
          options.log('error', error.message);
        },
      });
      parts.jar = jar;
      this.#pipeline.connect(jar);
      this.#interceptor = await InterceptorService.open({
        dataDir: options.dataDir,
        jar,
        domains: () => this.#domains.list(),
        syncing: () => this.#syncing,
        cdp: options.cdp,
        cdpPollIntervalMs: options.cdpPollIntervalMs,
        log: options.log,
      });

      // The admin API starts before the workers, so that its port (chosen by
      // the kernel when adminPort is 0) is known to them as one never to proxy to.
      const adminToken = await loadOrCreateAdminToken(options.dataDir);
      let adminAddress: { host: string; port: number } | null = null;
      if (options.adminPort !== null) {
        admin = createAdminServer({ supervisor: this, token: adminToken.token, caCertPem: ca.certPem, port: options.adminPort });
        adminAddress = await admin.listen();
      }

      if (options.insecureUpstream) {
        options.log('warn', 'upstream TLS certificates are NOT verified (insecure upstream): anyone on the path to an origin can impersonate it');
      }
      const openProxy = openProxyWarning(options);
      if (openProxy !== null) options.log('warn', openProxy);
      const settings: ProxySettings = {
        caCertPem: ca.certPem,
        leafKeyPem: leafKey.privateKeyPem,
        upstreamCaPems: options.upstreamCaPems,
        insecureUpstream: options.insecureUpstream,
        resolve: options.resolve,
        upstreamConnectTimeoutMs: options.upstreamConnectTimeoutMs,
        upstreamResponseTimeoutMs: options.upstreamResponseTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        protectedPorts: adminAddress === null ? [] : [adminAddress.port],
        eventBatchSize: options.eventBatchSize,
        syncHold: this.#pipeline.holdBuffer,
        clients: {
          maxHeaderSize: options.maxHeaderSize,
          headersTimeoutMs: options.headersTimeoutMs,
          maxConnections: options.maxConnections,
          // One slot per worker, shared with every worker: the total cap holds across them.
          connectionCounts: new SharedArrayBuffer(options.workers * Int32Array.BYTES_PER_ELEMENT),
          maxConnectionsPerClient: options.maxConnectionsPerClient,
          allow: options.allow,
          credentials: options.auth,
        },
      };
      const pool = new ConnectionPool({
        workers: options.workers,
        settings,
        certs,
        onEvents: (batch) => {
          // Events already on their way when syncing stopped are not recorded either.
          if (this.#syncing) this.#pipeline.push(batch.events);
        },
        domains: () => this.#domains.list(),
        syncing: () => this.#syncing,
        log: options.log,
      });
      parts.pool = pool;
      await pool.start();
      if (options.proxyEnabled) {
        this.#proxy = { enabled: true, port: await pool.listen(options.host, options.port) };
      }
      this.#running = { certs, jar, pool, admin, adminAddress, adminTokenPath: adminToken.path, caCertPath: ca.certPath };
      this.#state = 'running';
    } catch (error) {
      this.#state = 'closed';
      await admin?.close().catch(() => undefined);
      await this.#interceptor?.close().catch(() => undefined);
      await parts.pool?.drain(0).catch(() => undefined);
      await parts.jar?.close().catch(() => undefined);
      await parts.certs?.close().catch(() => undefined);
      this.#pipeline.complete();
      throw error;
    }
    return this.#addresses();
  }

  close(): Promise<void> {
    return this.#stop(this.options.drainTimeoutMs);
  }

  destroy(): Promise<void> {
    return this.#stop(0);
  }

  domains(): readonly DomainRule[] {
    return this.#domains.list();
  }

  addDomain(input: string): AddedDomain {
    const result = this.#domains.add(input);
    if (result.added) this.#domainsChanged();
    return result;
  }

  removeDomain(input: string): boolean {
    const removed = this.#domains.remove(input);
    if (removed) this.#domainsChanged();
    return removed;
  }

  startSyncing(): void {
    this.#setSyncing(true);
  }

  stopSyncing(): void {
    this.#setSyncing(false);
  }

  proxyState(): ProxyState {
    return { enabled: this.#proxy.enabled, host: this.options.host, port: this.#proxy.port };
  }

  async setProxy(change: { readonly enabled?: boolean; readonly port?: number }): Promise<ProxyState> {
    const running = this.#require();
    const enabled = change.enabled ?? this.#proxy.enabled;
    const port = change.port ?? this.#proxy.port;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `port: must be a port number from 0 to 65535 (got ${JSON.stringify(port)})`);
    }
    if (this.#proxy.enabled && change.port !== undefined && change.port !== this.#proxy.port) {
      throw new JarsyncError('JARSYNC_ERR_CONFLICT', `the proxy port cannot change while the proxy is enabled (it listens on ${this.#proxy.port}); disable it first`);
    }
    if (enabled && !this.#proxy.enabled) {
      this.#proxy = { enabled: true, port: await running.pool.listen(this.options.host, port) };
    } else if (!enabled && this.#proxy.enabled) {
      await running.pool.unlisten();
      this.#proxy = { enabled: false, port };
    } else {
      this.#proxy = { enabled, port: this.#proxy.enabled ? this.#proxy.port : port };
    }
    return this.proxyState();
  }

  cookies(filter?: CookieFilter): Promise<SerializedCookie[]> {
    return this.#require().jar.cookies(filter);
  }

  cookieHeader(url: string): Promise<string> {
    return this.#require().jar.cookieHeader(url);
  }

  deleteCookies(filter?: { readonly domain?: string }): Promise<number> {
    return this.#require().jar.deleteCookies(filter);
  }

  deleteCookie(key: { readonly domain: string; readonly path: string; readonly name: string }): Promise<boolean> {
    return this.#require().jar.deleteCookie(key);
  }

  async setCookie(setCookieLine: string, url: string): Promise<CookieChange | null> {
    const result = await this.#require().jar.setCookieFromApi(setCookieLine, url);
    if (result.outcome === 'refused') {
      throw new JarsyncError('JARSYNC_ERR_COOKIE_REFUSED', `The jar refused the cookie (${result.refusal.reason}): ${result.refusal.detail}`);
    }
    return result.outcome === 'changed' ? result.change : null;
  }

  cookie$(query: CookieQuery): Observable<CookieChange> {
    return watchCookie(this.cookies$, query);
  }

  waitForCookie(options: WaitForCookieOptions): Promise<SerializedCookie> {
    return waitForCookie(this, options);
  }

  flush(): Promise<void> {
    return this.#require().jar.flush();
  }

  async status(): Promise<SupervisorStatus> {
    const running = this.#require();
    return {
      state: this.#state === 'new' ? 'starting' : this.#state,
      startedAt: this.#startedAt,
      proxy: this.proxyState(),
      admin: running.adminAddress,
      syncing: this.#syncing,
      domains: this.#domains.list().map((rule) => rule.spec),
      insecureUpstream: this.options.insecureUpstream,
      dataDir: this.options.dataDir,
      workers: await running.pool.stats(),
      events: this.#pipeline.counts,
      jar: running.jar.stats(),
      certificates: running.certs.stats(),
      interceptor: this.interceptor().status(),
    };
  }

  applyBrowserCookies(batch: BrowserCookieBatch): Promise<BrowserSyncResult> {
    this.#require();
    return this.interceptor().apply(batch);
  }

  interceptor(): InterceptorService {
    if (this.#interceptor === null) throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', `the supervisor is not running (state: ${this.#state})`);
    return this.#interceptor;
  }

  terminateWorker(index: number): Promise<void> {
    return this.#require().pool.terminate(index);
  }

  #addresses(): SupervisorAddresses {
    const running = this.#require();
    return {
      proxy: this.proxyState(),
      admin: running.adminAddress,
      dataDir: this.options.dataDir,
      caCertPath: running.caCertPath,
      adminTokenPath: running.adminTokenPath,
      pairingCode: this.interceptor().pairing.code,
    };
  }

  #require(): Running {
    if (this.#running === null || this.#state !== 'running') {
      throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', `the supervisor is not running (state: ${this.#state})`);
    }
    return this.#running;
  }

  #domainsChanged(): void {
    const list = this.#domains.list();
    this.#pipeline.setDomains(list);
    this.#running?.pool.setDomains(list);
    this.#interceptor?.domainsChanged();
  }

  #setSyncing(syncing: boolean): void {
    if (this.#syncing === syncing) return;
    this.#syncing = syncing;
    this.#running?.pool.setSyncing(syncing);
  }

  #stop(drainTimeoutMs: number): Promise<void> {
    const running = this.#running;
    if (this.#stopping !== null) {
      // destroy() while close() drains: cut the drain short, then wait for the same end.
      if (drainTimeoutMs === 0) running?.pool.abort();
      return this.#stopping;
    }
    this.#state = 'closing';
    this.#stopping = (async () => {
      // Nothing more from browsers: the jar is about to close.
      await this.#interceptor?.close();
      if (running !== null) {
        await running.pool.drain(drainTimeoutMs);
        // The jar takes what still waits in the backlog before it closes.
        if (!(await this.#pipeline.settled(BACKLOG_SETTLE_MS))) {
          this.options.log('error', `the jar's backlog did not empty within ${BACKLOG_SETTLE_MS} ms of closing: ${this.#pipeline.counts.size} cookie event(s) were not applied`);
        }
        await running.jar.close();
        // After the jar: event streams see the last changes before they end.
        await running.admin?.close();
        await running.certs.close();
      }
      this.#pipeline.complete();
      this.#state = 'closed';
    })();
    return this.#stopping;
  }
}

/** Creates a supervisor; options are checked now (JARSYNC_ERR_BAD_OPTION etc.), nothing starts before `start()`. */
export function createSupervisor(options: SupervisorOptions = {}): Supervisor {
  return new JarsyncSupervisor(options);
}
