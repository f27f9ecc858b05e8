/**
 * Where an admitted CONNECT goes.
 *
 *   not synced (host and port) ─────────▶ blind tunnel: connect, then 200, then pipe
 *   synced, or an IP ──200──▶ peek the first bytes (never consumed)
 *       TLS, SNI (or host) synced over https ─▶ TLSSocket with the host's certificate ─┐
 *       plain HTTP, host synced over http ───────────────────────────────────────────┤
 *       silent for TUNNEL_PEEK_TIMEOUT_MS, or anything else ─▶ blind tunnel          ▼
 *                                                           served like any client connection
 *
 * While its first bytes are awaited, a tunnel counts as an opaque socket (open,
 * closed on drain); once served, as the HTTP connection it became.
 */
import net from 'node:net';
import tls from 'node:tls';
import { CONNECT_ESTABLISHED, openBlindTunnel, peekTunnel } from '../connect-tunnel.ts';
import type { SecureContextCache } from '../secure-contexts.ts';
import type { TargetGuard } from '../target-guard.ts';
import type { UpstreamFailure } from '../upstream-failure.ts';

/**
 * How long a synced tunnel waits for the client's first bytes before treating
 * it as a protocol where the server speaks first, and passing it blind.
 */
export const TUNNEL_PEEK_TIMEOUT_MS = 3_000;

/** What a connection served inside a tunnel knows of it. */
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

export interface ConnectRouterOptions {
  readonly guard: TargetGuard;
  readonly contexts: SecureContextCache;
  readonly connectTimeoutMs: number;
  /** Whether traffic to this origin is synced now (syncing on and a rule matches). */
  readonly synced: (scheme: 'http' | 'https', host: string, port: number) => boolean;
  /** Whether any rule could cover an IP's SNI name. */
  readonly anyRule: () => boolean;
  readonly onUpstreamError: (failure?: UpstreamFailure) => void;
  /** A socket whose bytes the worker does not read (counted open, closed on drain) … */
  readonly opaque: (socket: net.Socket) => void;
  /** … and no longer so (it is served, or wrapped by a TLS socket that is). */
  readonly served: (socket: net.Socket) => void;
  /** Serves HTTP on a tunnel's socket; `early` holds bytes already read from it. */
  readonly serve: (socket: net.Socket, tunnel: TunnelInfo, early: Buffer | null) => void;
}

export class ConnectRouter {
  readonly #options: ConnectRouterOptions;
  #blindCount = 0;
  #decryptedCount = 0;

  constructor(options: ConnectRouterOptions) {
    this.#options = options;
  }

  get blind(): number {
    return this.#blindCount;
  }

  get decrypted(): number {
    return this.#decryptedCount;
  }

  /** Routes a CONNECT that passed the gate and the guard; `early` is what the client sent after it. */
  open(socket: net.Socket, host: string, port: number, early: Buffer, client: string): void {
    if (socket.destroyed) return;
    const { synced } = this.#options;
    const maybeSynced =
      synced('https', host, port) ||
      synced('http', host, port) ||
      // A CONNECT to an address may still name a synced host in its SNI.
      (net.isIP(host) !== 0 && this.#options.anyRule());
    this.#options.opaque(socket);
    if (!maybeSynced) {
      this.#blind(socket, host, port, early, true);
      return;
    }
    socket.write(CONNECT_ESTABLISHED);
    void this.#route(socket, host, port, early, client);
    // The peek is listening by now (its first part runs at once); the socket
    // came out of the HTTP loop paused.
    socket.resume();
  }

  async #route(socket: net.Socket, host: string, port: number, early: Buffer, client: string): Promise<void> {
    const peek = await peekTunnel(socket, early, TUNNEL_PEEK_TIMEOUT_MS);
    if (peek.kind === 'closed') return;
    if (peek.kind === 'silent') {
      this.#blind(socket, host, port, peek.data, false);
      return;
    }
    const { data, hello } = peek;
    const { synced } = this.#options;
    if (hello.kind === 'tls') {
      const name = hello.serverName ?? host;
      if (synced('https', name, port)) {
        await this.#decrypt(socket, data, { scheme: 'https', host: name, connectHost: host, port, client });
        return;
      }
    } else if (synced('http', host, port)) {
      this.#options.served(socket);
      this.#options.serve(socket, { scheme: 'http', host, connectHost: host, port, client }, data);
      return;
    }
    this.#blind(socket, host, port, data, false);
  }

  async #decrypt(socket: net.Socket, data: Buffer, tunnel: TunnelInfo): Promise<void> {
    let context: tls.SecureContext;
    try {
      context = await this.#options.contexts.get(tunnel.host);
    } catch {
      // Without a certificate the tunnel cannot be served; the client sees the
      // connection close during its handshake.
      this.#options.onUpstreamError();
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    socket.unshift(data);
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
    this.#decryptedCount += 1;
    secure.on('error', () => secure.destroy());
    // The TLS socket stands for the tunnel from here: when it goes, so does the tunnel.
    secure.once('close', () => socket.destroy());
    this.#options.served(socket);
    this.#options.serve(secure, tunnel, null);
  }

  #blind(socket: net.Socket, host: string, port: number, early: Buffer, answerConnect: boolean): void {
    this.#blindCount += 1;
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
