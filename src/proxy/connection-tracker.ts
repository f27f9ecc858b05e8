import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Knows every client connection a worker holds and the requests in flight on
 * each: for stats, for a drain that lets requests finish while closing idle
 * keep-alive connections, and for the client deadlines below.
 *
 * Deadlines, checked every `checkEveryMs` (one timer for all connections, as
 * Node's own server does):
 * - **Request head** (slowloris): a head must be whole within
 *   `headersTimeoutMs` of the connection starting, or of its first byte on a
 *   kept-alive connection; then 408. Node's server times this itself only
 *   for the connections its listening socket accepted, so the tracker does it
 *   for the sockets it is told to (decrypted tunnels, plain HTTP in a tunnel).
 *   Idle kept-alive connections are closed by Node's keepAliveTimeout, which
 *   works on any socket.
 * - **Stall**: a request waiting on its client — a body that stopped coming,
 *   or a response the client stopped reading — with no byte moving either way
 *   for `idleTimeoutMs`. Waiting on the origin is not a stall: that has the
 *   upstream timeouts, and a slow event stream is not a broken client.
 */

/** One request in flight on a client connection. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Drops the upstream side of the exchange without answering; set by whoever forwards it. */
  abortUpstream: () => void;
}

export interface ConnectionTrackerOptions {
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** A connection whose request head did not arrive in time. */
  readonly onHeadTimeout: (socket: net.Socket) => void;
  /** A request that waited on its client for `idleTimeoutMs` with nothing moving. */
  readonly onStall: (exchange: Exchange) => void;
  /** Clock in ms. Defaults to performance.now. */
  readonly now?: () => number;
}

interface HttpConnection {
  readonly socket: Duplex;
  /** Whether the tracker times this connection's request heads (Node's server does not). */
  readonly timesHeads: boolean;
  readonly exchanges: Set<Exchange>;
  /** Requests begun on this connection. */
  served: number;
  /** When the connection last had no request in flight (or started). */
  idleSince: number;
  /** bytesRead then: more bytes since mean a request head has begun. */
  readBaseline: number;
  headStartedAt: number | null;
  /** Answered for a late head: closing, not to be answered again. */
  headTimedOut: boolean;
  /** bytesRead + bytesWritten at the last check, and since when it has not changed. */
  activity: number;
  quietSince: number;
}

/** How often deadlines are checked: a quarter of the shortest, within 20 ms … 1 s. */
export function checkEveryMs(headersTimeoutMs: number, idleTimeoutMs: number): number {
  return Math.min(1_000, Math.max(20, Math.floor(Math.min(headersTimeoutMs, idleTimeoutMs) / 4)));
}

function bytesRead(socket: Duplex): number {
  return socket instanceof net.Socket ? socket.bytesRead : 0;
}

function bytesMoved(socket: Duplex): number {
  return socket instanceof net.Socket ? socket.bytesRead + socket.bytesWritten : 0;
}

/** Whether a request in flight waits on its client rather than on the origin. */
function waitsOnClient({ req, res }: Exchange): boolean {
  // The client stopped reading: the response is backed up to the socket.
  if (res.writableNeedDrain) return true;
  // The body is still to come and nothing upstream holds it back (a pipe paused
  // by back-pressure sets readableFlowing to false).
  return !req.complete && req.readableFlowing !== false;
}

export class ConnectionTracker {
  readonly #options: ConnectionTrackerOptions;
  readonly #now: () => number;
  readonly #active = new Map<Duplex, HttpConnection>();
  readonly #tunnels = new Set<Duplex>();
  /** Exchanges already reported as stalled: their answer is on its way. */
  readonly #stalled = new WeakSet<Exchange>();
  #timer: NodeJS.Timeout | undefined;
  #total = 0;
  #requests = 0;
  #inFlight = 0;
  #onIdle: (() => void) | undefined;

  constructor(options: ConnectionTrackerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  get open(): number {
    return this.#active.size + this.#tunnels.size;
  }

  get total(): number {
    return this.#total;
  }

  get requests(): number {
    return this.#requests;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * A client connection that carries HTTP (plain, or decrypted from a tunnel).
   * `timesHeads`: the tracker times its request heads (a socket Node's
   * listening server did not accept).
   */
  track(socket: Duplex, options: { readonly counted?: boolean; readonly timesHeads?: boolean } = {}): void {
    if (this.#active.has(socket)) return;
    if (options.counted ?? true) this.#total += 1;
    const now = this.#now();
    this.#active.set(socket, {
      socket,
      timesHeads: options.timesHeads ?? false,
      exchanges: new Set(),
      served: 0,
      idleSince: now,
      readBaseline: bytesRead(socket),
      headStartedAt: null,
      headTimedOut: false,
      activity: bytesMoved(socket),
      quietSince: now,
    });
    // Requests on a closing socket end through their responses' 'close' events.
    socket.once('close', () => this.#active.delete(socket));
    this.#startChecking();
  }

  /** A connection whose bytes the worker cannot see into (blind tunnel, upgraded socket). */
  trackTunnel(socket: Duplex): void {
    this.#active.delete(socket);
    this.#tunnels.add(socket);
    socket.once('close', () => this.#tunnels.delete(socket));
  }

  /** Stops tracking a socket another one now wraps (a TLS socket over a tunnel), or that is tracked anew. */
  forget(socket: Duplex): void {
    this.#active.delete(socket);
  }

  /** A request has begun on `socket`; returns its exchange, for the forwarder to fill in. */
  requestStarted(socket: Duplex, req: IncomingMessage, res: ServerResponse): Exchange {
    this.#requests += 1;
    this.#inFlight += 1;
    const exchange: Exchange = { req, res, abortUpstream: () => undefined };
    const connection = this.#active.get(socket);
    if (connection !== undefined) {
      connection.exchanges.add(exchange);
      connection.served += 1;
    }
    return exchange;
  }

  requestEnded(socket: Duplex, exchange: Exchange): void {
    const connection = this.#active.get(socket);
    if (connection?.exchanges.delete(exchange) === true && connection.exchanges.size === 0) {
      connection.idleSince = this.#now();
      connection.readBaseline = bytesRead(socket);
      connection.headStartedAt = null;
    }
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#inFlight === 0 && this.#onIdle !== undefined) {
      const resolve = this.#onIdle;
      this.#onIdle = undefined;
      resolve();
    }
  }

  /** The requests in flight on `socket`. */
  exchangesOn(socket: Duplex): readonly Exchange[] {
    return [...(this.#active.get(socket)?.exchanges ?? [])];
  }

  /** Closes HTTP connections with no request in flight. */
  closeIdle(): void {
    for (const [socket, connection] of this.#active) if (connection.exchanges.size === 0) socket.end();
  }

  /** Resolves when no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  destroyAll(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const socket of this.#active.keys()) socket.destroy();
    for (const socket of this.#tunnels) socket.destroy();
  }

  #startChecking(): void {
    if (this.#timer !== undefined) return;
    const { headersTimeoutMs, idleTimeoutMs } = this.#options;
    this.#timer = setInterval(() => {
      this.#check();
    }, checkEveryMs(headersTimeoutMs, idleTimeoutMs));
    this.#timer.unref();
  }

  #check(): void {
    if (this.#active.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = this.#now();
    const { headersTimeoutMs, idleTimeoutMs } = this.#options;
    // Collected first: the handlers close sockets, which changes the map.
    const lateHeads: HttpConnection[] = [];
    const stalled: Exchange[] = [];
    for (const connection of this.#active.values()) {
      const moved = bytesMoved(connection.socket);
      if (moved !== connection.activity) {
        connection.activity = moved;
        connection.quietSince = now;
      }
      if (connection.exchanges.size === 0) {
        if (!connection.timesHeads || connection.headTimedOut) continue;
        if (connection.headStartedAt === null && connection.served > 0 && bytesRead(connection.socket) !== connection.readBaseline) {
          connection.headStartedAt = now;
        }
        const start = connection.served === 0 ? connection.idleSince : connection.headStartedAt;
        if (start !== null && now - start >= headersTimeoutMs) lateHeads.push(connection);
      } else if (now - connection.quietSince >= idleTimeoutMs) {
        for (const exchange of connection.exchanges) if (!this.#stalled.has(exchange) && waitsOnClient(exchange)) stalled.push(exchange);
      }
    }
    for (const connection of lateHeads) {
      connection.headTimedOut = true;
      if (connection.socket instanceof net.Socket) this.#options.onHeadTimeout(connection.socket);
      else connection.socket.destroy();
    }
    for (const exchange of stalled) {
      this.#stalled.add(exchange);
      this.#options.onStall(exchange);
    }
  }
}
