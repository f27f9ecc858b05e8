/**
 * One connection worker's proxy on raw sockets: everything that touches
 * client bytes, with the HTTP/1.1 codec of ../http1 in place of node:http.
 *
 *   client ──TCP──▶ net.Server (reusePort) ──▶ ClientConnection: the HTTP loop
 *     absolute-form request ──▶ Exchange ──▶ UpstreamPool (raw keep-alive sockets) ──▶ origin
 *     Upgrade ─────────────────▶ Exchange on a connection of its own, sockets joined on 101
 *     CONNECT host:port ───────▶ ConnectRouter: a blind tunnel, or a decrypted TLS socket /
 *                                 plain HTTP served by a ClientConnection like any other
 *     origin-form, jarsync.cert ▶ the CA page; origin-form /proxy.pac ▶ the PAC file (proxy-pac.ts)
 *
 *   Cookie headers of synced origins ──▶ EventBatcher ──▶ supervisor
 *   While the jar is behind, new requests to synced origins wait (sync-hold.ts).
 *
 *   Before any of it: an address not allowed is closed at accept (client-gate.ts), a
 *   connection over a cap gets 503, a request without valid proxy credentials 407;
 *   late heads and stalled requests get 408 (client-connection.ts, one clock for all).
 *   Targets on this machine's protected ports are refused (target-guard.ts).
 *
 * Its control interface (listen, unlisten, setDomains, setSyncing, stats,
 * drain) is what serve-task.ts offers the supervisor over the control port.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CookieEvent } from '../../cookie-event.ts';
import type { DomainMatcher } from '../../domains/domain-matcher.ts';
import { compileDomains } from '../../domains/domain-matcher.ts';
import type { DomainRule } from '../../domains/domain-rule.ts';
import { JarsyncError } from '../../errors.ts';
import type { CertService, ProxySettings, WorkerStats } from '../../workers/protocol.ts';
import { CertPage } from '../cert-page.ts';
import { answerAndClose, busy } from '../client-answer.ts';
import { ClientGate, UNRESTRICTED } from '../client-gate.ts';
import type { CookieSink } from '../cookie-capture.ts';
import { captureRequestCookies } from '../cookie-capture.ts';
import { EventBatcher } from '../event-batcher.ts';
import { createLookup } from '../host-resolver.ts';
import type { RequestFraming } from '../http1/body-framing.ts';
import type { HeadLimits } from '../http1/head-limits.ts';
import { REQUEST_HEAD_LIMITS } from '../http1/head-limits.ts';
import type { RequestHead } from '../http1/parse-request-head.ts';
import { writeRequestHead } from '../http1/write-request-head.ts';
import { SecureContextCache } from '../secure-contexts.ts';
import { SyncHold } from '../sync-hold.ts';
import type { Target } from '../target.ts';
import { authorityOf } from '../target.ts';
import { TargetGuard } from '../target-guard.ts';
import type { UpstreamFailure } from '../upstream-failure.ts';
import { classifyUpstreamFailure } from '../upstream-failure.ts';
import { answerMessage } from './answer-message.ts';
import type { ConnectionServices } from './client-connection.ts';
import { ClientConnection } from './client-connection.ts';
import { ConnectRouter } from './connect-router.ts';
import type { TunnelInfo } from './connect-router.ts';
import { ConnectionClock, tickMs } from './connection-clock.ts';
import { Exchange } from './exchange.ts';
import { joinSockets } from './join-sockets.ts';
import type { Route, RouteContext } from './request-route.ts';
import type { UpstreamKey } from './upstream-connection.ts';
import { upstreamKey } from './upstream-connection.ts';
import { UpstreamPool } from './upstream-pool.ts';
import { upstreamTls } from './upstream-tls.ts';

export interface ProxyEngineOptions {
  readonly index: number;
  readonly threadId: number;
  readonly settings: ProxySettings;
  readonly domains: readonly DomainRule[];
  readonly syncing: boolean;
  readonly certs: CertService;
  /** Receives each batch of cookie events. */
  readonly sendEvents: (events: CookieEvent[]) => void;
}

/** The name sent as SNI and verified: the target's host, unless it is an address (or the origin is plain http). */
function servernameOf(target: Target): string | null {
  if (target.scheme !== 'https') return null;
  const { host } = target;
  // Most hosts are names: one look at the last character spares the address patterns.
  const last = host.charCodeAt(host.length - 1);
  const mayBeAddress = host.includes(':') || (last >= 0x30 && last <= 0x39);
  return mayBeAddress && net.isIP(host) !== 0 ? null : host;
}

export class ProxyEngine implements ConnectionServices {
  readonly limits: HeadLimits;
  readonly maxHeaderSize: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly route: RouteContext;
  readonly pool: UpstreamPool;
  readonly #index: number;
  readonly #threadId: number;
  readonly #server: net.Server;
  readonly #gate: ClientGate;
  readonly #guard: TargetGuard;
  readonly #batcher: EventBatcher;
  readonly #sink: CookieSink;
  readonly #router: ConnectRouter;
  readonly #clock: ConnectionClock<ClientConnection>;
  readonly #hold: SyncHold;
  /** Sockets the worker does not read (blind tunnels, joined upgrades, tunnels being peeked). */
  readonly #opaque = new Set<Duplex>();
  #matcher: DomainMatcher;
  /** The domain list as given, for the PAC file. */
  #rules: readonly DomainRule[];
  #syncing: boolean;
  #listening = false;
  #draining = false;
  #drained: Promise<void> | null = null;
  #cutDrain: (() => void) | undefined;
  #onIdle: (() => void) | undefined;
  #inFlight = 0;
  #connectionsTotal = 0;
  #requests = 0;
  #timeouts = 0;
  #upstreamErrors = 0;
  #targetsRefused = 0;

  constructor(options: ProxyEngineOptions) {
    const { settings } = options;
    const policy = settings.clients ?? UNRESTRICTED;
    this.#index = options.index;
    this.#threadId = options.threadId;
    // --max-header-size bounds the request line and the fields together, as it always has.
    this.limits = { maxStartLineBytes: policy.maxHeaderSize, maxHeadBytes: policy.maxHeaderSize, maxFields: REQUEST_HEAD_LIMITS.maxFields };
    this.maxHeaderSize = policy.maxHeaderSize;
    this.headersTimeoutMs = policy.headersTimeoutMs;
    this.idleTimeoutMs = settings.idleTimeoutMs;
    this.connectTimeoutMs = settings.upstreamConnectTimeoutMs;
    this.responseTimeoutMs = settings.upstreamResponseTimeoutMs;
    this.#gate = new ClientGate(policy, options.index);
    this.#matcher = compileDomains(options.domains);
    this.#syncing = options.syncing;
    this.#batcher = new EventBatcher(options.sendEvents, settings.eventBatchSize);
    this.#sink = (event) => {
      this.#batcher.push(event);
    };
    const guard = new TargetGuard({ lookup: createLookup(settings.resolve), adminPorts: settings.protectedPorts });
    this.#guard = guard;
    this.pool = new UpstreamPool({ tls: upstreamTls(settings), lookupFor: (port) => guard.lookupFor(port) });
    this.#rules = options.domains;
    this.route = { gate: this.#gate, certPage: new CertPage(settings.caCertPem), rules: () => this.#rules };
    this.#hold = new SyncHold(settings.syncHold, settings.upstreamResponseTimeoutMs);
    this.#clock = new ConnectionClock(tickMs(this.headersTimeoutMs, this.idleTimeoutMs, this.connectTimeoutMs, this.responseTimeoutMs));
    this.#router = new ConnectRouter({
      guard,
      contexts: new SecureContextCache({ certs: options.certs, leafKeyPem: settings.leafKeyPem, caCertPem: settings.caCertPem }),
      connectTimeoutMs: this.connectTimeoutMs,
      synced: (scheme, host, port) => this.capture(scheme, host, port) !== null,
      anyRule: () => !this.#matcher.isEmpty,
      onUpstreamError: this.onUpstreamError,
      opaque: (socket) => {
        this.#track(socket);
      },
      served: (socket) => {
        this.#opaque.delete(socket);
      },
      serve: (socket, tunnel, early) => {
        this.#serve(socket, tunnel, early);
      },
    });
    this.#server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.#accept(socket);
    });
    // An accept() that fails (EMFILE under a flood of connections) is reported
    // here; the listening socket goes on, and so must the worker.
    this.#server.on('error', () => undefined);
  }

  setDomains(domains: readonly DomainRule[]): void {
    this.#rules = domains;
    this.#matcher = compileDomains(domains);
  }

  setSyncing(syncing: boolean): void {
    this.#syncing = syncing;
  }

  /** Starts accepting on `host:port` with reusePort, so every worker can listen on the same port. */
  async listen(host: string, port: number): Promise<number> {
    if (this.#draining) throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', 'the worker is draining');
    if (this.#listening) await this.unlisten();
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          error.code === 'EADDRINUSE'
            ? new JarsyncError('JARSYNC_ERR_PORT_IN_USE', `port ${port} on ${host} is in use by another process`)
            : new JarsyncError('JARSYNC_ERR_BAD_OPTION', `cannot listen on ${host}:${port}: ${error.message}`),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen({ host, port, reusePort: true }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    const bound = (this.#server.address() as AddressInfo).port;
    this.#guard.setOwnPort(bound);
    return bound;
  }

  /** Stops accepting new connections; those open go on. */
  unlisten(): Promise<void> {
    if (!this.#listening) return Promise.resolve();
    this.#listening = false;
    this.#guard.setOwnPort(null);
    // close() calls back only once every connection has ended; the listening
    // socket itself is gone at once, which is all this needs.
    this.#server.close();
    return Promise.resolve();
  }

  stats(): WorkerStats {
    const cpu = process.threadCpuUsage();
    return {
      index: this.#index,
      threadId: this.#threadId,
      listening: this.#listening,
      connectionsOpen: this.#clock.size + this.#opaque.size,
      connectionsTotal: this.#connectionsTotal,
      requestsTotal: this.#requests,
      tunnelsBlind: this.#router.blind,
      tunnelsDecrypted: this.#router.decrypted,
      upstreamErrors: this.#upstreamErrors,
      connectionsRefused: this.#gate.refused,
      clientsDenied: this.#gate.denied,
      authRefused: this.#gate.authRefused,
      clientTimeouts: this.#timeouts,
      targetsRefused: this.#targetsRefused,
      eventsSent: this.#batcher.sent,
      requestsHeld: this.#hold.held,
      requestsBusy: this.#hold.busy,
      cpuMicros: cpu.user + cpu.system,
    };
  }

  /**
   * Stops accepting, lets requests in flight finish for up to `timeoutMs`
   * (answering them with `Connection: close`), closes idle keep-alive
   * connections now and the others as their requests end, then closes what is
   * left, blind tunnels and WebSockets included, and posts the last events.
   */
  drain(timeoutMs: number): Promise<void> {
    if (this.#drained !== null) {
      // Asked again while draining: stop waiting for requests in flight.
      this.#cutDrain?.();
      return this.#drained;
    }
    this.#draining = true;
    if (this.#listening) {
      this.#listening = false;
      this.#server.close();
    }
    for (const connection of this.#clock.items()) connection.closeIfIdle();
    // Held requests go now: the jar takes what is left of their events as it closes.
    this.#hold.releaseAll();
    this.#drained = (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#whenIdle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          this.#cutDrain = resolve;
        }),
      ]);
      clearTimeout(timer);
      this.#clock.stop();
      for (const connection of this.#clock.items()) connection.socket.destroy();
      for (const socket of this.#opaque) socket.destroy();
      this.#batcher.flush();
      this.pool.destroy();
    })();
    return this.#drained;
  }

  // ── ConnectionServices ────────────────────────────────────────────────

  closing(): boolean {
    return this.#draining;
  }

  capture(scheme: 'http' | 'https', host: string, port: number): CookieSink | null {
    return this.#syncing && this.#matcher.match(scheme, host, port) !== undefined ? this.#sink : null;
  }

  readonly onUpstreamError = (failure?: UpstreamFailure): void => {
    if (failure?.status === 403 || failure?.status === 508) this.#targetsRefused += 1;
    else this.#upstreamErrors += 1;
  };

  onRequest(): void {
    this.#requests += 1;
  }

  onClientTimeout(): void {
    this.#timeouts += 1;
  }

  exchangeStarted(): void {
    this.#inFlight += 1;
  }

  exchangeEnded(): void {
    this.#inFlight -= 1;
    if (this.#inFlight === 0 && this.#onIdle !== undefined) {
      const resolve = this.#onIdle;
      this.#onIdle = undefined;
      resolve();
    }
  }

  closed(connection: ClientConnection): void {
    this.#clock.delete(connection);
  }

  joined(client: Duplex, upstream: Duplex): void {
    this.#track(client);
    joinSockets(client, upstream);
  }

  forward(connection: ClientConnection, head: RequestHead, framing: RequestFraming, route: Extract<Route, { kind: 'forward' }>): void {
    const { target } = route;
    // While the jar is behind, a new request to a synced origin waits here (an upgrade never does).
    const synced = !route.upgrade && this.capture(target.scheme, target.host, target.port) !== null;
    const withdraw = this.#hold.hold(synced, (go, waitedMs) => {
      if (!go) connection.unhold(answerMessage(busy(waitedMs), { close: true, head: head.method === 'HEAD' }));
      else if (connection.letGo()) this.#send(connection, head, framing, route);
    });
    if (withdraw === null) this.#send(connection, head, framing, route);
    else connection.hold(withdraw);
  }

  #send(connection: ClientConnection, head: RequestHead, framing: RequestFraming, route: Extract<Route, { kind: 'forward' }>): void {
    const { target } = route;
    const authority = authorityOf(target);
    const refused = this.#guard.check(route.connectHost, target.port);
    if (refused !== null) {
      const failure = classifyUpstreamFailure(refused, authority);
      this.onUpstreamError(failure);
      const keepAlive = framing.kind === 'none' && connection.keepsAlive(head);
      connection.finish(answerMessage(failure, { close: !keepAlive, head: head.method === 'HEAD' }), keepAlive);
      return;
    }
    const sink = this.capture(target.scheme, target.host, target.port);
    if (sink !== null && head.cookies.length > 0) captureRequestCookies(sink, target, head.cookies.join('; '), route.client);
    const upstreamHead = writeRequestHead(head, framing, {
      connection: 'keep-alive',
      upgrade: route.upgrade,
      ...(head.form === 'absolute' ? { path: target.path } : {}),
      ...(route.rewriteHost ? { host: authority } : {}),
    });
    const plan = {
      head,
      framing,
      target,
      authority,
      key: this.#keyFor(connection, target, route.connectHost),
      upstreamHead,
      upgrade: route.upgrade,
      client: route.client,
      sink,
    };
    connection.begin(new Exchange(connection, this, plan));
  }

  connect(socket: net.Socket, host: string, port: number, early: Buffer, client: string): void {
    if (!this.#guard.protects(port)) {
      this.#router.open(socket, host, port, early, client);
      return;
    }
    // A port of this machine's proxy or admin API: resolve now, so that the
    // CONNECT itself is refused whether or not the host would be decrypted.
    void this.#guard.vet(host, port).then((refused) => {
      if (refused === null) {
        this.#router.open(socket, host, port, early, client);
        return;
      }
      const failure = classifyUpstreamFailure(refused, authorityOf({ scheme: 'https', host, port }));
      this.onUpstreamError(failure);
      answerAndClose(socket, failure);
    });
  }

  // ── internals ─────────────────────────────────────────────────────────

  #accept(socket: net.Socket): void {
    if (!this.#gate.admit(socket)) return;
    const connection = new ClientConnection(socket, null, this);
    // A connection over a cap is kept only to answer its first request 503
    // (client-gate.ts closes it soon after): it counts for nothing.
    if (this.#gate.overCap(socket) === null) {
      this.#connectionsTotal += 1;
      this.#clock.add(connection);
    }
    connection.start(null);
  }

  #serve(socket: net.Socket, tunnel: TunnelInfo, early: Buffer | null): void {
    const connection = new ClientConnection(socket, tunnel, this);
    this.#clock.add(connection);
    connection.start(early);
  }

  /**
   * The pool key of a request's origin. A keep-alive connection mostly asks
   * one origin again and again: its last key is reused, and with it the same
   * id string, whose hash V8 keeps, so the pool's lookup does not hash anew.
   */
  #keyFor(connection: ClientConnection, target: Target, connectHost: string): UpstreamKey {
    const last = connection.lastKey;
    if (last !== null && last.port === target.port && last.scheme === target.scheme && last.host === connectHost && last.servername === servernameOf(target)) {
      return last;
    }
    const key = upstreamKey(target.scheme, connectHost, target.port, servernameOf(target));
    connection.lastKey = key;
    return key;
  }

  #track(socket: Duplex): void {
    if (this.#opaque.has(socket)) return;
    this.#opaque.add(socket);
    socket.once('close', () => this.#opaque.delete(socket));
  }

  #whenIdle(): Promise<void> {
    if (this.#inFlight <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }
}
