/**
 * One raw connection to an origin: a plain `net.Socket` or a TLS client
 * socket, verified as the node:http engine verified it (the worker's
 * SecureContext, `rejectUnauthorized`, the origin's name as SNI and as the
 * name checked; the target guard's lookup, so a name that resolves to this
 * machine's protected ports is refused before a byte goes out).
 *
 * Its listeners are attached once, when it is opened, and report to whoever
 * owns it now (the exchange using it), so handing a pooled connection from
 * one request to the next costs an assignment, not a dozen `on`/`off` calls.
 * With no owner (idle in the pool), any byte from the origin is a protocol
 * error and its end or close takes it out of the pool.
 */
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import type { UpstreamTls } from './upstream-tls.ts';

/** Where a connection goes; connections with equal `id`s are interchangeable. */
export interface UpstreamKey {
  readonly scheme: 'http' | 'https';
  /** Where to connect: a name or an address. */
  readonly host: string;
  readonly port: number;
  /** The name sent as SNI and checked against the certificate (https); null for an address. */
  readonly servername: string | null;
  readonly id: string;
}

export function upstreamKey(scheme: 'http' | 'https', host: string, port: number, servername: string | null): UpstreamKey {
  return { scheme, host, port, servername, id: `${scheme}|${host}|${port}|${servername ?? ''}` };
}

/** Whoever uses a connection now; every event of the socket goes to it. */
export interface UpstreamOwner {
  /** TCP (and TLS) set up: only for a connection opened for this owner. */
  onUpstreamConnect(): void;
  onUpstreamData(chunk: Buffer): void;
  /** The origin ended its side. */
  onUpstreamEnd(): void;
  /** Writes flushed after a write returned false. */
  onUpstreamDrain(): void;
  /** The socket closed; `error` is what closed it, if anything did. */
  onUpstreamClose(error: Error | null): void;
}

/** What opening a connection needs from the pool. */
export interface UpstreamOpenOptions {
  readonly tls: UpstreamTls;
  readonly lookup: LookupFunction;
  /** A TLS session of the same origin to resume, if one is kept. */
  readonly session: Buffer | undefined;
  /** Called with each TLS session the origin issues. */
  readonly onSession: (session: Buffer) => void;
  /** Called once when the socket closes, before the owner hears of it. */
  readonly onClose: (connection: UpstreamConnection) => void;
}

export class UpstreamConnection {
  readonly key: UpstreamKey;
  readonly socket: net.Socket;
  /** Kept for reuse after the exchange (false: opened for one exchange, an upgrade). */
  readonly pooled: boolean;
  owner: UpstreamOwner | null;
  /** TCP (and TLS) is set up. */
  connected = false;
  /** Taken from the idle list: the origin may have closed it meanwhile. */
  reused = false;
  /** When it went back to the idle list (performance.now()). */
  idleSince = 0;
  closed = false;
  #error: Error | null = null;
  readonly #onClose: (connection: UpstreamConnection) => void;

  constructor(key: UpstreamKey, pooled: boolean, owner: UpstreamOwner, options: UpstreamOpenOptions) {
    this.key = key;
    this.pooled = pooled;
    this.owner = owner;
    const secure = key.scheme === 'https';
    const socket = secure ? this.#connectTls(options) : net.connect({ host: key.host, port: key.port, lookup: options.lookup, noDelay: true });
    this.socket = socket;
    this.#onClose = options.onClose;
    socket.once(secure ? 'secureConnect' : 'connect', this.#connected);
    socket.on('data', this.#data);
    socket.on('end', this.#end);
    socket.on('drain', this.#drain);
    socket.on('error', this.#failed);
    socket.once('close', this.#gone);
  }

  readonly #connected = (): void => {
    this.connected = true;
    this.owner?.onUpstreamConnect();
  };

  readonly #data = (chunk: Buffer): void => {
    if (this.owner === null) this.socket.destroy();
    else this.owner.onUpstreamData(chunk);
  };

  readonly #end = (): void => {
    if (this.owner === null) this.socket.destroy();
    else this.owner.onUpstreamEnd();
  };

  readonly #drain = (): void => {
    this.owner?.onUpstreamDrain();
  };

  readonly #failed = (error: Error): void => {
    this.#error ??= error;
  };

  readonly #gone = (): void => {
    this.closed = true;
    this.#onClose(this);
    const owner = this.owner;
    this.owner = null;
    owner?.onUpstreamClose(this.#error);
  };

  /** Whether a request can be written on it now. */
  get usable(): boolean {
    return !this.closed && !this.socket.destroyed && this.socket.writable;
  }

  /**
   * Hands the socket over (a protocol switch joins it to the client's): its
   * listeners go, the pool forgets it, and nobody owns it here any more.
   */
  detach(): net.Socket {
    this.owner = null;
    this.closed = true;
    const { socket } = this;
    socket.off('connect', this.#connected);
    socket.off('secureConnect', this.#connected);
    socket.off('data', this.#data);
    socket.off('end', this.#end);
    socket.off('drain', this.#drain);
    socket.off('error', this.#failed);
    socket.off('close', this.#gone);
    this.#onClose(this);
    return this.socket;
  }

  #connectTls(options: UpstreamOpenOptions): tls.TLSSocket {
    const { key } = this;
    const socket = tls.connect({
      host: key.host,
      port: key.port,
      lookup: options.lookup,
      secureContext: options.tls.secureContext,
      rejectUnauthorized: options.tls.rejectUnauthorized,
      // An empty name sends no SNI, and the certificate is checked against `host` (an address).
      servername: key.servername ?? '',
      ...(options.session === undefined ? {} : { session: options.session }),
    });
    socket.setNoDelay(true);
    socket.on('session', options.onSession);
    return socket;
  }
}
