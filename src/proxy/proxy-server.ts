/**
 * One connection worker's proxy: everything that touches client bytes.
 *
 *   client ──TCP──▶ outer http.Server (listening, reusePort)
 *     absolute-form request ──▶ forwardRequest ──▶ pooled upstream (http/https)
 *     CONNECT host:port ─────────▶ TunnelRouter (tunnel-router.ts): a blind tunnel, or
 *                                    decrypted / plain HTTP served by the inner
 *                                    http.Server (never listens) ──▶ forwardRequest
 *     Upgrade (WebSocket) ───────▶ forwardUpgrade (sockets joined on 101)
 *     origin-form (the proxy's own address) ▶ the CA page (cert-page.ts), /proxy.pac (proxy-pac.ts)
 *
 *   Cookie headers of synced origins ──▶ EventBatcher ──▶ supervisor
 *   While the jar is behind, new requests to synced origins wait (sync-hold.ts).
 *
 *   Before any of it (client-connections.ts): an address not allowed is closed
 *   at accept, a connection over a cap gets 503, a request without valid proxy
 *   credentials 407; late heads and stalled requests get 408. Targets on this
 *   machine's protected ports are refused (target-guard.ts).
 */
import http from 'node:http';
import type net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CookieEvent } from '../cookie-event.ts';
import type { DomainMatcher } from '../domains/domain-matcher.ts';
import { compileDomains } from '../domains/domain-matcher.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import { JarsyncError } from '../errors.ts';
import type { CertService, ProxySettings, WorkerStats } from '../workers/protocol.ts';
import { CERT_PAGE_HOST, CertPage, sendStatic } from './cert-page.ts';
import { isPacRequest, pacAnswer } from './proxy-pac.ts';
import { answerAndClose, badRequest, sendAnswer } from './client-answer.ts';
import { ClientConnections } from './client-connections.ts';
import { UNRESTRICTED } from './client-gate.ts';
import type { ConnectionTracker, Exchange } from './connection-tracker.ts';
import { checkEveryMs } from './connection-tracker.ts';
import type { CookieSink } from './cookie-capture.ts';
import { EventBatcher } from './event-batcher.ts';
import type { ForwardContext } from './forward-request.ts';
import { forwardRequest } from './forward-request.ts';
import { forwardUpgrade } from './forward-upgrade.ts';
import { SecureContextCache } from './secure-contexts.ts';
import { SyncHold } from './sync-hold.ts';
import type { Target } from './target.ts';
import { authorityOf, parseAbsoluteTarget, parseAuthority } from './target.ts';
import { TargetGuard } from './target-guard.ts';
import type { TunnelInfo } from './tunnel-router.ts';
import { TunnelRouter } from './tunnel-router.ts';
import type { UpstreamAgents } from './upstream-agents.ts';
import { createUpstreamAgents } from './upstream-agents.ts';
import type { UpstreamFailure } from './upstream-failure.ts';
import { classifyUpstreamFailure } from './upstream-failure.ts';

export interface ProxyServerOptions {
  readonly index: number;
  readonly threadId: number;
  readonly settings: ProxySettings;
  readonly domains: readonly DomainRule[];
  readonly syncing: boolean;
  readonly certs: CertService;
  /** Receives each batch of cookie events. */
  readonly sendEvents: (events: CookieEvent[]) => void;
}

/** RFC 9112 §3.2: a request with more than one Host field line is answered 400. */
function hostCount(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.length === 4 && raw[i]?.toLowerCase() === 'host') count += 1;
  return count;
}

export class ProxyServer {
  readonly #index: number;
  readonly #threadId: number;
  readonly #settings: ProxySettings;
  readonly #outer: http.Server;
  readonly #inner: http.Server;
  readonly #clients: ClientConnections;
  readonly #tracker: ConnectionTracker;
  readonly #guard: TargetGuard;
  readonly #batcher: EventBatcher;
  readonly #sink: CookieSink;
  readonly #agents: UpstreamAgents;
  readonly #router: TunnelRouter;
  readonly #certPage: CertPage;
  readonly #hold: SyncHold;
  #matcher: DomainMatcher;
  /** The domain list as given, for the PAC file. */
  #rules: readonly DomainRule[];
  #syncing: boolean;
  #listening = false;
  #draining = false;
  #drained: Promise<void> | null = null;
  #cutDrain: (() => void) | undefined;
  #upstreamErrors = 0;
  #targetsRefused = 0;
  readonly #closing = (): boolean => this.#draining;
  readonly #onUpstreamError = (failure?: UpstreamFailure): void => {
    if (failure?.status === 403 || failure?.status === 508) this.#targetsRefused += 1;
    else this.#upstreamErrors += 1;
  };

  constructor(options: ProxyServerOptions) {
    this.#index = options.index;
    this.#threadId = options.threadId;
    this.#settings = options.settings;
    const policy = options.settings.clients ?? UNRESTRICTED;
    this.#clients = new ClientConnections(policy, options.index, options.settings.idleTimeoutMs);
    this.#tracker = this.#clients.tracker;
    this.#matcher = compileDomains(options.domains);
    this.#rules = options.domains;
    this.#syncing = options.syncing;
    this.#batcher = new EventBatcher(options.sendEvents, options.settings.eventBatchSize);
    this.#sink = (event) => {
      this.#batcher.push(event);
    };
    this.#agents = createUpstreamAgents(options.settings);
    this.#guard = new TargetGuard({ lookup: this.#agents.lookup, adminPorts: options.settings.protectedPorts });
    this.#certPage = new CertPage(options.settings.caCertPem);
    this.#hold = new SyncHold(options.settings.syncHold, options.settings.upstreamResponseTimeoutMs);

    const serverOptions: http.ServerOptions = {
      keepAliveTimeout: options.settings.idleTimeoutMs,
      // Node times heads only on connections its listening socket accepted; the
      // tracker times those of the inner server (see connection-tracker.ts).
      headersTimeout: policy.headersTimeoutMs,
      connectionsCheckingInterval: checkEveryMs(policy.headersTimeoutMs, options.settings.idleTimeoutMs),
      // Bodies stream for as long as they take; stalls are caught by the tracker.
      requestTimeout: 0,
      maxHeaderSize: policy.maxHeaderSize,
      noDelay: true,
    };
    this.#outer = http.createServer(serverOptions, (req, res) => {
      this.#onProxyRequest(req, res);
    });
    this.#outer.on('connection', (socket: net.Socket) => {
      this.#clients.accept(socket);
    });
    this.#outer.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#onConnect(req, socket, head);
    });
    this.#outer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const client = this.#clients.admit(req, socket);
      if (client === null) return;
      const target = parseAbsoluteTarget(req.url ?? '');
      if (target === null) {
        answerAndClose(socket, badRequest(`cannot proxy the request target "${(req.url ?? '').slice(0, 200)}"`));
        return;
      }
      this.#upgrade(req, socket, head, target, client, target.host, true);
    });
    this.#outer.on('clientError', this.#clients.onClientError);
    // An accept() that fails (EMFILE under a flood of connections) is reported
    // here; the listening socket goes on, and so must the worker.
    this.#outer.on('error', () => undefined);

    this.#inner = http.createServer(serverOptions, (req, res) => {
      this.#onTunnelRequest(req, res);
    });
    this.#router = new TunnelRouter({
      inner: this.#inner,
      tracker: this.#tracker,
      guard: this.#guard,
      contexts: new SecureContextCache({
        certs: options.certs,
        leafKeyPem: options.settings.leafKeyPem,
        caCertPem: options.settings.caCertPem,
      }),
      connectTimeoutMs: options.settings.upstreamConnectTimeoutMs,
      synced: (scheme, host, port) => this.#capture(scheme, host, port) !== null,
      anyRule: () => !this.#matcher.isEmpty,
      onUpstreamError: this.#onUpstreamError,
    });
    this.#inner.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const info = this.#router.tunnels.get(socket);
      if (info === undefined) {
        socket.destroy();
        return;
      }
      this.#upgrade(req, socket, head, this.#tunnelTarget(info, req.url ?? '/'), info.client, info.connectHost, false);
    });
    this.#inner.on('clientError', this.#clients.onClientError);
    // Node's default (2,000 lines, the rest dropped silently) would forward a
    // request with fields missing; the header size limit bounds them instead.
    this.#outer.maxHeadersCount = 0;
    this.#inner.maxHeadersCount = 0;
  }

  setDomains(domains: readonly DomainRule[]): void {
    this.#matcher = compileDomains(domains);
    this.#rules = domains;
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
      this.#outer.once('error', onError);
      this.#outer.listen({ host, port, reusePort: true }, () => {
        this.#outer.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    const bound = (this.#outer.address() as AddressInfo).port;
    this.#guard.setOwnPort(bound);
    return bound;
  }

  /** Stops accepting new connections; those open go on (the http server closes idle ones). */
  unlisten(): Promise<void> {
    if (!this.#listening) return Promise.resolve();
    this.#listening = false;
    this.#guard.setOwnPort(null);
    // close() only calls back once every connection has ended; the listening
    // socket itself is gone at once, which is all this needs.
    this.#outer.close();
    return Promise.resolve();
  }

  stats(): WorkerStats {
    const cpu = process.threadCpuUsage();
    return {
      index: this.#index,
      threadId: this.#threadId,
      listening: this.#listening,
      connectionsOpen: this.#tracker.open,
      connectionsTotal: this.#tracker.total,
      requestsTotal: this.#tracker.requests,
      tunnelsBlind: this.#router.blind,
      tunnelsDecrypted: this.#router.decrypted,
      upstreamErrors: this.#upstreamErrors,
      connectionsRefused: this.#clients.gate.refused,
      clientsDenied: this.#clients.gate.denied,
      authRefused: this.#clients.gate.authRefused,
      clientTimeouts: this.#clients.timeouts,
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
   * connections as they become idle, then closes what is left, blind tunnels
   * and WebSockets included, and posts the last events.
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
      this.#outer.close();
    }
    this.#tracker.closeIdle();
    this.#hold.releaseAll();
    this.#drained = (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#tracker.whenIdle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          this.#cutDrain = resolve;
        }),
      ]);
      clearTimeout(timer);
      this.#tracker.destroyAll();
      this.#batcher.flush();
      this.#agents.destroy();
    })();
    return this.#drained;
  }

  #capture(scheme: 'http' | 'https', host: string, port: number): CookieSink | null {
    return this.#syncing && this.#matcher.match(scheme, host, port) !== undefined ? this.#sink : null;
  }

  #context(target: Target, client: string, connectHost: string, rewriteHost: boolean): ForwardContext {
    return {
      agents: this.#agents,
      guard: this.#guard,
      connectTimeoutMs: this.#settings.upstreamConnectTimeoutMs,
      responseTimeoutMs: this.#settings.upstreamResponseTimeoutMs,
      sink: this.#capture(target.scheme, target.host, target.port),
      client,
      connectHost,
      rewriteHost,
      closing: this.#closing,
      onUpstreamError: this.#onUpstreamError,
    };
  }

  #begin(req: IncomingMessage, res: ServerResponse): Exchange {
    const socket = req.socket;
    const exchange = this.#tracker.requestStarted(socket, req, res);
    res.once('close', () => {
      this.#tracker.requestEnded(socket, exchange);
      if (this.#draining) this.#tracker.closeIdle();
    });
    return exchange;
  }

  #onProxyRequest(req: IncomingMessage, res: ServerResponse): void {
    const exchange = this.#begin(req, res);
    const { gate } = this.#clients;
    const overCap = gate.overCap(req.socket);
    if (overCap !== null) {
      sendAnswer(res, overCap, true);
      return;
    }
    const url = req.url ?? '';
    if (url.startsWith('/')) {
      // Origin-form straight at the proxy (someone opened its address in a
      // browser): show where the CA is rather than an error. No credentials
      // are asked: the CA certificate is public, and a device needs it
      // before it is set up to use the proxy. The PAC file likewise: a
      // device loads it before it uses the proxy.
      const answer = isPacRequest(url)
        ? pacAnswer(this.#rules, req.headers.host, { host: req.socket.localAddress ?? '127.0.0.1', port: req.socket.localPort ?? 0 })
        : this.#certPage.respond(url);
      sendStatic(res, answer, req.method === 'HEAD');
      return;
    }
    const who = gate.identify(req);
    if (who.answer !== undefined) {
      // Closed after: an unauthenticated client holds no connection open, and its body is not read.
      sendAnswer(res, who.answer, true);
      return;
    }
    const target = parseAbsoluteTarget(url);
    if (target === null) {
      sendAnswer(res, badRequest(`cannot proxy the request target "${url.slice(0, 200)}"`), true);
      return;
    }
    if (target.host === CERT_PAGE_HOST) {
      sendStatic(res, this.#certPage.respond(target.path), req.method === 'HEAD');
      return;
    }
    this.#forward(exchange, target, this.#context(target, who.client, target.host, true));
  }

  #tunnelTarget(info: TunnelInfo, requestTarget: string): Target {
    if (!requestTarget.startsWith('/')) {
      const absolute = parseAbsoluteTarget(requestTarget);
      if (absolute !== null) return { ...absolute, scheme: info.scheme, host: info.host, port: info.port };
    }
    return { scheme: info.scheme, host: info.host, port: info.port, path: requestTarget.startsWith('/') ? requestTarget : '/' };
  }

  #onTunnelRequest(req: IncomingMessage, res: ServerResponse): void {
    const exchange = this.#begin(req, res);
    const info = this.#router.tunnels.get(req.socket);
    if (info === undefined) {
      res.destroy();
      return;
    }
    // Inside a tunnel the client's Host goes upstream as written: two of them
    // could send one origin's request to another (RFC 9112 §3.2).
    if (hostCount(req.rawHeaders) > 1) {
      sendAnswer(res, badRequest('more than one Host header field'), true);
      return;
    }
    const target = this.#tunnelTarget(info, req.url ?? '/');
    this.#forward(exchange, target, this.#context(target, info.client, info.connectHost, false));
  }

  /** Forwards now, or (a synced origin while the jar is behind) once the hold lifts. */
  #forward(exchange: Exchange, target: Target, context: ForwardContext): void {
    this.#hold.admit(exchange, context.sink !== null, () => forwardRequest(exchange.req, exchange.res, target, context));
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: Target, client: string, connectHost: string, rewriteHost: boolean): void {
    this.#tracker.trackTunnel(socket);
    forwardUpgrade(req, socket, head, target, this.#context(target, client, connectHost, rewriteHost));
  }

  #onConnect(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const client = this.#clients.admit(req, socket);
    if (client === null) return;
    // RFC 9112 §3.2.3: authority-form is host ":" port, the port required (a fallback of 0 refuses its absence).
    const authority = parseAuthority(req.url ?? '', 0);
    if (authority === null || authority.host === CERT_PAGE_HOST) {
      answerAndClose(socket, badRequest('CONNECT needs host:port'));
      return;
    }
    const { host, port } = authority;
    if (!this.#guard.protects(port)) {
      this.#router.open(socket, host, port, head, client);
      return;
    }
    // A port of this machine's proxy or admin API: resolve now, so that the
    // CONNECT itself is refused whether or not the host would be decrypted.
    void this.#guard.vet(host, port).then((refused) => {
      if (refused === null) {
        this.#router.open(socket, host, port, head, client);
        return;
      }
      const failure = classifyUpstreamFailure(refused, authorityOf({ scheme: 'https', host, port }));
      this.#onUpstreamError(failure);
      answerAndClose(socket, failure);
    });
  }
}
