/**
 * One connection worker's proxy: everything that touches client bytes.
 *
 *   client ──TCP──▶ outer http.Server (listening, reusePort)
 *     absolute-form request ──▶ forwardRequest ──▶ pooled upstream (http/https)
 *     CONNECT host:port
 *       not synced ─────────────▶ blind tunnel (connect, 200, pipe)
 *       synced (or an IP) ──200──▶ peek the first bytes
 *           TLS, SNI synced ────▶ TLSSocket with the host's certificate ─┐
 *           plain HTTP, synced ────────────────────────────────────────┤
 *           otherwise ──────────▶ blind tunnel                        ▼
 *                                   inner http.Server (never listens) ──▶ forwardRequest
 *     Upgrade (WebSocket) ───────▶ forwardUpgrade (sockets joined on 101)
 *
 *   Cookie headers of synced origins ──▶ EventBatcher ──▶ supervisor
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CookieEvent } from '../cookie-event.ts';
import type { DomainMatcher } from '../domains/domain-matcher.ts';
import { compileDomains } from '../domains/domain-matcher.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import { JarsyncError } from '../errors.ts';
import type { CertService, ProxySettings, WorkerStats } from '../workers/protocol.ts';
import { CERT_PAGE_HOST, CertPage } from './cert-page.ts';
import { CONNECT_ESTABLISHED, openBlindTunnel, peekTunnel } from './connect-tunnel.ts';
import { ConnectionTracker } from './connection-tracker.ts';
import type { CookieSink } from './cookie-capture.ts';
import { EventBatcher } from './event-batcher.ts';
import type { ForwardContext } from './forward-request.ts';
import { forwardRequest, sendFailure } from './forward-request.ts';
import { forwardUpgrade } from './forward-upgrade.ts';
import { SecureContextCache } from './secure-contexts.ts';
import type { Target } from './target.ts';
import { parseAbsoluteTarget, parseAuthority } from './target.ts';
import type { UpstreamAgents } from './upstream-agents.ts';
import { createUpstreamAgents } from './upstream-agents.ts';

/**
 * How long a synced tunnel waits for the client's first bytes before treating
 * it as a protocol where the server speaks first, and passing it blind.
 */
export const TUNNEL_PEEK_TIMEOUT_MS = 3_000;

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

/** What the inner server needs to know of a tunnel it serves. */
interface TunnelInfo {
  readonly scheme: 'http' | 'https';
  /** The origin's name: the SNI name, or the CONNECT host. */
  readonly host: string;
  /** Where to connect: the CONNECT host. */
  readonly connectHost: string;
  readonly port: number;
  readonly client: string;
}

function clientOf(socket: Duplex): string {
  if (!(socket instanceof net.Socket)) return 'unknown';
  const { remoteAddress, remotePort } = socket;
  if (remoteAddress === undefined) return 'unknown';
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort ?? 0}` : `${remoteAddress}:${remotePort ?? 0}`;
}

function respondStatic(res: ServerResponse, answer: { status: number; headers: Readonly<Record<string, string>>; body: Buffer }, head: boolean): void {
  res.writeHead(answer.status, answer.headers);
  res.end(head ? undefined : answer.body);
}

function badRequest(text: string): { status: number; code: string; text: string } {
  return { status: 400, code: 'JARSYNC_ERR_BAD_CLIENT_REQUEST', text };
}

export class ProxyServer {
  readonly #index: number;
  readonly #threadId: number;
  readonly #settings: ProxySettings;
  readonly #outer: http.Server;
  readonly #inner: http.Server;
  readonly #tracker = new ConnectionTracker();
  readonly #batcher: EventBatcher;
  readonly #sink: CookieSink;
  readonly #agents: UpstreamAgents;
  readonly #contexts: SecureContextCache;
  readonly #certPage: CertPage;
  readonly #tunnels = new WeakMap<Duplex, TunnelInfo>();
  #matcher: DomainMatcher;
  #syncing: boolean;
  #listening = false;
  #draining = false;
  #drained: Promise<void> | null = null;
  #cutDrain: (() => void) | undefined;
  #tunnelsBlind = 0;
  #tunnelsDecrypted = 0;
  #upstreamErrors = 0;
  readonly #closing = (): boolean => this.#draining;
  readonly #onUpstreamError = (): void => {
    this.#upstreamErrors += 1;
  };

  constructor(options: ProxyServerOptions) {
    this.#index = options.index;
    this.#threadId = options.threadId;
    this.#settings = options.settings;
    this.#matcher = compileDomains(options.domains);
    this.#syncing = options.syncing;
    this.#batcher = new EventBatcher(options.sendEvents, options.settings.eventBatchSize);
    this.#sink = (event) => {
      this.#batcher.push(event);
    };
    this.#agents = createUpstreamAgents(options.settings);
    this.#contexts = new SecureContextCache({
      certs: options.certs,
      leafKeyPem: options.settings.leafKeyPem,
      caCertPem: options.settings.caCertPem,
    });
    this.#certPage = new CertPage(options.settings.caCertPem);

    const serverOptions: http.ServerOptions = {
      keepAliveTimeout: options.settings.idleTimeoutMs,
      // Bodies stream for as long as they take; stalls are caught by idle timeouts.
      requestTimeout: 0,
      noDelay: true,
    };
    this.#outer = http.createServer(serverOptions, (req, res) => {
      this.#onProxyRequest(req, res);
    });
    this.#outer.on('connection', (socket: net.Socket) => {
      this.#tracker.track(socket);
    });
    this.#outer.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#onConnect(req, socket, head);
    });
    this.#outer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const target = parseAbsoluteTarget(req.url ?? '');
      if (target === null) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.#upgrade(req, socket, head, target, clientOf(socket), target.host, true);
    });
    this.#outer.on('clientError', onClientError);

    this.#inner = http.createServer(serverOptions, (req, res) => {
      this.#onTunnelRequest(req, res);
    });
    this.#inner.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const info = this.#tunnels.get(socket);
      if (info === undefined) {
        socket.destroy();
        return;
      }
      this.#upgrade(req, socket, head, this.#tunnelTarget(info, req.url ?? '/'), info.client, info.connectHost, false);
    });
    this.#inner.on('clientError', onClientError);
  }

  setDomains(domains: readonly DomainRule[]): void {
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
      this.#outer.once('error', onError);
      this.#outer.listen({ host, port, reusePort: true }, () => {
        this.#outer.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    return (this.#outer.address() as AddressInfo).port;
  }

  /** Stops accepting new connections; those open go on (the http server closes idle ones). */
  unlisten(): Promise<void> {
    if (!this.#listening) return Promise.resolve();
    this.#listening = false;
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
      tunnelsBlind: this.#tunnelsBlind,
      tunnelsDecrypted: this.#tunnelsDecrypted,
      upstreamErrors: this.#upstreamErrors,
      eventsSent: this.#batcher.sent,
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

  #begin(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    this.#tracker.requestStarted(socket);
    res.once('close', () => {
      this.#tracker.requestEnded(socket);
      if (this.#draining) this.#tracker.closeIdle();
    });
  }

  #onProxyRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#begin(req, res);
    const url = req.url ?? '';
    if (url.startsWith('/')) {
      // Origin-form straight at the proxy (someone opened its address in a
      // browser): show where the CA is rather than an error.
      respondStatic(res, this.#certPage.respond(url), req.method === 'HEAD');
      return;
    }
    const target = parseAbsoluteTarget(url);
    if (target === null) {
      sendFailure(res, badRequest(`jarsync: cannot proxy the request target "${url.slice(0, 200)}"`));
      return;
    }
    if (target.host === CERT_PAGE_HOST) {
      respondStatic(res, this.#certPage.respond(target.path), req.method === 'HEAD');
      return;
    }
    forwardRequest(req, res, target, this.#context(target, clientOf(req.socket), target.host, true));
  }

  #tunnelTarget(info: TunnelInfo, requestTarget: string): Target {
    if (!requestTarget.startsWith('/')) {
      const absolute = parseAbsoluteTarget(requestTarget);
      if (absolute !== null) return { ...absolute, scheme: info.scheme, host: info.host, port: info.port };
    }
    return { scheme: info.scheme, host: info.host, port: info.port, path: requestTarget.startsWith('/') ? requestTarget : '/' };
  }

  #onTunnelRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#begin(req, res);
    const info = this.#tunnels.get(req.socket);
    if (info === undefined) {
      res.destroy();
      return;
    }
    const target = this.#tunnelTarget(info, req.url ?? '/');
    forwardRequest(req, res, target, this.#context(target, info.client, info.connectHost, false));
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: Target, client: string, connectHost: string, rewriteHost: boolean): void {
    this.#tracker.trackTunnel(socket);
    forwardUpgrade(req, socket, head, target, this.#context(target, client, connectHost, rewriteHost));
  }

  #onConnect(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const authority = parseAuthority(req.url ?? '', 443);
    socket.on('error', () => socket.destroy());
    if (authority === null || authority.host === CERT_PAGE_HOST) {
      const body = 'jarsync: CONNECT needs host:port\n';
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nX-Jarsync-Error: JARSYNC_ERR_BAD_CLIENT_REQUEST\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const { host, port } = authority;
    const client = clientOf(socket);
    const maybeSynced =
      this.#syncing &&
      (this.#matcher.match('https', host, port) !== undefined ||
        this.#matcher.match('http', host, port) !== undefined ||
        // A CONNECT to an address may still name a synced host in its SNI.
        (net.isIP(host) !== 0 && !this.#matcher.isEmpty));
    if (!maybeSynced) {
      this.#blind(socket, host, port, head, true);
      return;
    }
    socket.write(CONNECT_ESTABLISHED);
    void this.#route(socket, host, port, head, client);
  }

  async #route(socket: Duplex, host: string, port: number, head: Buffer, client: string): Promise<void> {
    const peek = await peekTunnel(socket, head, TUNNEL_PEEK_TIMEOUT_MS);
    if (peek.kind === 'closed') return;
    if (peek.kind === 'silent') {
      this.#blind(socket, host, port, peek.data, false);
      return;
    }
    const { data, hello } = peek;
    if (hello.kind === 'tls') {
      const name = hello.serverName ?? host;
      if (this.#capture('https', name, port) !== null) {
        await this.#decrypt(socket, data, { scheme: 'https', host: name, connectHost: host, port, client });
        return;
      }
    } else if (this.#capture('http', host, port) !== null) {
      socket.unshift(data);
      this.#tunnels.set(socket, { scheme: 'http', host, connectHost: host, port, client });
      this.#inner.emit('connection', socket);
      socket.resume();
      return;
    }
    this.#blind(socket, host, port, data, false);
  }

  async #decrypt(socket: Duplex, data: Buffer, info: TunnelInfo): Promise<void> {
    let context: tls.SecureContext;
    try {
      context = await this.#contexts.get(info.host);
    } catch {
      // Without a certificate the tunnel cannot be served; the client sees the
      // connection close during its handshake.
      this.#upstreamErrors += 1;
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    socket.unshift(data);
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      ALPNProtocols: ['http/1.1'],
    });
    this.#tunnelsDecrypted += 1;
    this.#tracker.forget(socket);
    this.#tracker.track(secure, false);
    this.#tunnels.set(secure, info);
    secure.on('error', () => secure.destroy());
    this.#inner.emit('connection', secure);
  }

  #blind(socket: Duplex, host: string, port: number, early: Buffer, answerConnect: boolean): void {
    this.#tunnelsBlind += 1;
    this.#tracker.trackTunnel(socket);
    openBlindTunnel(socket, {
      host,
      port,
      lookup: this.#agents.lookup,
      connectTimeoutMs: this.#settings.upstreamConnectTimeoutMs,
      early,
      answerConnect,
      onUpstreamError: this.#onUpstreamError,
    });
  }
}

/**
 * What a client that sent something unparseable gets. Node answers these itself
 * when no listener is attached; with one, the answer is ours to give.
 */
function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET' || error.code?.startsWith('ERR_SSL') === true) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
