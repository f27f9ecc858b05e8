/**
 * Where an admitted CONNECT tunnel goes.
 *
 *   not synced (host and port) ─────────▶ blind tunnel: connect, then 200, then pipe
 *   synced, or an IP ──200──▶ peek the first bytes
 *       TLS, SNI (or host) synced over https ─▶ TLSSocket with the host's certificate ─┐
 *       plain HTTP, host synced over http ───────────────────────────────────────────┤
 *       silent for TUNNEL_PEEK_TIMEOUT_MS, or anything else ─▶ blind tunnel          ▼
 *                                                           inner http.Server (never listens)
 */
import type http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { CONNECT_ESTABLISHED, openBlindTunnel, peekTunnel } from './connect-tunnel.ts';
import type { ConnectionTracker } from './connection-tracker.ts';
import type { SecureContextCache } from './secure-contexts.ts';
import type { TargetGuard } from './target-guard.ts';
import type { UpstreamFailure } from './upstream-failure.ts';

/**
 * How long a synced tunnel waits for the client's first bytes before treating
 * it as a protocol where the server speaks first, and passing it blind.
 */
export const TUNNEL_PEEK_TIMEOUT_MS = 3_000;

/** What the inner server needs to know of a tunnel it serves. */
export interface TunnelInfo {
  readonly scheme: 'http' | 'https';
  /** The origin's name: the SNI name, or the CONNECT host. */
  readonly host: string;
  /** Where to connect: the CONNECT host. */
  readonly connectHost: string;
  readonly port: number;
  /** The client label of the CONNECT (`[user@]address:port`), for the cookie events inside. */
  readonly client: string;
}

export interface TunnelRouterOptions {
  /** Serves the HTTP inside decrypted and plain tunnels. */
  readonly inner: http.Server;
  readonly tracker: ConnectionTracker;
  readonly guard: TargetGuard;
  readonly contexts: SecureContextCache;
  readonly connectTimeoutMs: number;
  /** Whether traffic to this origin is synced now (syncing on and a rule matches). */
  readonly synced: (scheme: 'http' | 'https', host: string, port: number) => boolean;
  /** Whether any rule could cover an IP's SNI name. */
  readonly anyRule: () => boolean;
  readonly onUpstreamError: (failure?: UpstreamFailure) => void;
}

export class TunnelRouter {
  readonly #options: TunnelRouterOptions;
  /** The tunnel behind each socket the inner server serves. */
  readonly tunnels = new WeakMap<Duplex, TunnelInfo>();
  #blindCount = 0;
  #decryptedCount = 0;

  constructor(options: TunnelRouterOptions) {
    this.#options = options;
  }

  get blind(): number {
    return this.#blindCount;
  }

  get decrypted(): number {
    return this.#decryptedCount;
  }

  /** Routes a CONNECT that passed the gate and the guard; `head` is what the client sent after it. */
  open(socket: Duplex, host: string, port: number, head: Buffer, client: string): void {
    if (socket.destroyed) return;
    const { synced } = this.#options;
    const maybeSynced =
      synced('https', host, port) ||
      synced('http', host, port) ||
      // A CONNECT to an address may still name a synced host in its SNI.
      (net.isIP(host) !== 0 && this.#options.anyRule());
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
    const { synced, tracker } = this.#options;
    if (hello.kind === 'tls') {
      const name = hello.serverName ?? host;
      if (synced('https', name, port)) {
        await this.#decrypt(socket, data, { scheme: 'https', host: name, connectHost: host, port, client });
        return;
      }
    } else if (synced('http', host, port)) {
      socket.unshift(data);
      this.tunnels.set(socket, { scheme: 'http', host, connectHost: host, port, client });
      // From here its request heads are the inner server's, which Node does not time.
      tracker.forget(socket);
      tracker.track(socket, { counted: false, timesHeads: true });
      this.#options.inner.emit('connection', socket);
      socket.resume();
      return;
    }
    this.#blind(socket, host, port, data, false);
  }

  async #decrypt(socket: Duplex, data: Buffer, info: TunnelInfo): Promise<void> {
    let context: tls.SecureContext;
    try {
      context = await this.#options.contexts.get(info.host);
    } catch {
      // Without a certificate the tunnel cannot be served; the client sees the
      // connection close during its handshake.
      this.#options.onUpstreamError();
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
    this.#decryptedCount += 1;
    const { tracker } = this.#options;
    tracker.forget(socket);
    tracker.track(secure, { counted: false, timesHeads: true });
    this.tunnels.set(secure, info);
    secure.on('error', () => secure.destroy());
    this.#options.inner.emit('connection', secure);
  }

  #blind(socket: Duplex, host: string, port: number, early: Buffer, answerConnect: boolean): void {
    this.#blindCount += 1;
    this.#options.tracker.trackTunnel(socket);
    openBlindTunnel(socket, {
      host,
      port,
      lookup: this.#options.guard.lookupFor(port),
      connectTimeoutMs: this.#options.connectTimeoutMs,
      early,
      answerConnect,
      onUpstreamError: (failure) => {
        this.#options.onUpstreamError(failure);
      },
    });
  }
}
