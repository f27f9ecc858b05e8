/**
 * A worker's keep-alive connections to origins, one idle list per
 * UpstreamKey (scheme, connect host, port, servername).
 *
 *   acquire(key) ─▶ the most recently idled connection of that key (LIFO: the
 *                   warmest, the least likely to have been closed by the origin)
 *                └▶ none: a new one
 *   release(c)   ─▶ back on its idle list, unless the list is full (the oldest
 *                   goes) or the pool is closing
 *   every few s  ─▶ connections idle for UPSTREAM_IDLE_MS closed
 *
 * A connection the origin closes while idle leaves its list at once. TLS
 * sessions are kept per origin (as Node's https.Agent does, 100 of them) so a
 * new connection to a known origin can resume rather than do a full handshake.
 */
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { UpstreamKey, UpstreamOwner } from './upstream-connection.ts';
import { UpstreamConnection } from './upstream-connection.ts';
import type { UpstreamTls } from './upstream-tls.ts';

/**
 * Idle upstream connections are closed after this long unused. Origins commonly
 * close idle keep-alive connections after 5–75 s; a reused connection the origin
 * has just closed is retried once for idempotent requests without a body
 * (exchange.ts).
 */
export const UPSTREAM_IDLE_MS = 30_000;

/** Most idle keep-alive connections kept per origin (what the node:http engine's agents kept). */
export const UPSTREAM_MAX_IDLE_PER_ORIGIN = 256;

/** TLS sessions kept for resumption: Node's https.Agent default (maxCachedSessions). */
const MAX_TLS_SESSIONS = 100;

export interface UpstreamPoolOptions {
  readonly tls: UpstreamTls;
  /** The lookup for connections to a port (target-guard.ts refuses this machine's protected ports). */
  readonly lookupFor: (port: number) => LookupFunction;
  /** Defaults to UPSTREAM_MAX_IDLE_PER_ORIGIN. */
  readonly maxIdlePerOrigin?: number;
  /** Defaults to UPSTREAM_IDLE_MS. */
  readonly idleMs?: number;
}

export class UpstreamPool {
  readonly #tls: UpstreamTls;
  readonly #lookupFor: (port: number) => LookupFunction;
  readonly #maxIdle: number;
  readonly #idleMs: number;
  readonly #idle = new Map<string, UpstreamConnection[]>();
  readonly #open = new Set<UpstreamConnection>();
  readonly #sessions = new Map<string, Buffer>();
  readonly #onClose = (connection: UpstreamConnection): void => {
    this.#open.delete(connection);
    this.#unlist(connection);
  };
  #idleCount = 0;
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: UpstreamPoolOptions) {
    this.#tls = options.tls;
    this.#lookupFor = options.lookupFor;
    this.#maxIdle = options.maxIdlePerOrigin ?? UPSTREAM_MAX_IDLE_PER_ORIGIN;
    this.#idleMs = options.idleMs ?? UPSTREAM_IDLE_MS;
  }

  /** Connections open now, idle or in use. */
  get open(): number {
    return this.#open.size;
  }

  get idle(): number {
    return this.#idleCount;
  }

  /** A pooled connection for `owner`: an idle one of the same key, or a new one. */
  acquire(key: UpstreamKey, owner: UpstreamOwner): UpstreamConnection {
    const list = this.#idle.get(key.id);
    while (list !== undefined && list.length > 0) {
      const connection = list.pop();
      if (connection === undefined) break;
      this.#idleCount -= 1;
      if (!connection.usable) continue;
      connection.owner = owner;
      connection.reused = true;
      return connection;
    }
    return this.connect(key, owner, true);
  }

  /** A new connection; `pooled` false for one that will not come back (an upgrade). */
  connect(key: UpstreamKey, owner: UpstreamOwner, pooled: boolean): UpstreamConnection {
    const sessionKey = `${key.servername ?? key.host}:${key.port}`;
    const connection = new UpstreamConnection(key, pooled, owner, {
      tls: this.#tls,
      lookup: this.#lookupFor(key.port),
      session: key.scheme === 'https' ? this.#sessions.get(sessionKey) : undefined,
      onSession: (session) => {
        this.#remember(sessionKey, session);
      },
      onClose: this.#onClose,
    });
    this.#open.add(connection);
    if (this.#closed) connection.socket.destroy();
    return connection;
  }

  /** Takes back a connection whose exchange ended cleanly (whole request sent, whole response read). */
  release(connection: UpstreamConnection): void {
    connection.owner = null;
    if (this.#closed || !connection.pooled || !connection.usable) {
      connection.socket.destroy();
      return;
    }
    let list = this.#idle.get(connection.key.id);
    if (list === undefined) {
      list = [];
      this.#idle.set(connection.key.id, list);
    }
    if (list.length >= this.#maxIdle) {
      // The oldest goes: it is the one the origin is likeliest to close soon.
      const oldest = list.shift();
      this.#idleCount -= 1;
      oldest?.socket.destroy();
    }
    connection.idleSince = performance.now();
    list.push(connection);
    this.#idleCount += 1;
    this.#sweep();
  }

  /** Closes every connection, idle or not; later ones are closed as they open. */
  destroy(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    for (const connection of this.#open) connection.socket.destroy();
  }

  #unlist(connection: UpstreamConnection): void {
    const list = this.#idle.get(connection.key.id);
    if (list === undefined) return;
    const at = list.indexOf(connection);
    if (at < 0) return;
    list.splice(at, 1);
    this.#idleCount -= 1;
    if (list.length === 0) this.#idle.delete(connection.key.id);
  }

  #remember(key: string, session: Buffer): void {
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    if (this.#sessions.size > MAX_TLS_SESSIONS) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done !== true) this.#sessions.delete(oldest.value);
    }
  }

  /** Keeps a timer running while connections are idle, closing those idle too long. */
  #sweep(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(
      () => {
        const oldest = performance.now() - this.#idleMs;
        for (const list of this.#idle.values()) {
          // Oldest first: stop at the first that is still fresh.
          for (const connection of list) {
            if (connection.idleSince > oldest) break;
            connection.socket.destroy();
          }
        }
        if (this.#idleCount === 0) {
          clearInterval(this.#sweeper);
          this.#sweeper = undefined;
        }
      },
      Math.max(1_000, Math.floor(this.#idleMs / 4)),
    );
    this.#sweeper.unref();
  }
}
