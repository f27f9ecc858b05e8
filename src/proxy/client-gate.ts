/**
 * Who may use the proxy, and how many connections they may hold.
 *
 *   new connection ─▶ address allowed? ── no ─▶ closed at once, nothing said
 *                    └▶ over a connection cap? ── yes ─▶ its first request gets 503 + Retry-After
 *   each request / CONNECT / upgrade ─▶ Proxy-Authorization proves a user? ── no ─▶ 407
 *                    └▶ client = `user@address:port` (or `address:port` without --auth)
 *
 * A stranger gets no byte back: answering would only confirm to a scanner that
 * a proxy is there. A client over a cap is a known client that gets told why.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientPolicy } from '../workers/protocol.ts';
import { AllowList } from './address-rules.ts';
import type { ClientAnswer } from './client-answer.ts';
import { proxyAuthRequired, tooManyConnections } from './client-answer.ts';
import type { CapRefusal } from './connection-caps.ts';
import { ConnectionCaps } from './connection-caps.ts';
import { ProxyAuth } from './proxy-auth.ts';

/**
 * What a worker applies without a policy from the supervisor (a bare
 * ConnectionPool): Node's own header limits (16 KiB, 60 s) and no caps or
 * restrictions.
 */
export const UNRESTRICTED: ClientPolicy = {
  maxHeaderSize: 16_384,
  headersTimeoutMs: 60_000,
  maxConnections: Number.MAX_SAFE_INTEGER,
  connectionCounts: new SharedArrayBuffer(0),
  maxConnectionsPerClient: 0,
  allow: [],
  credentials: [],
};

/**
 * How long a connection over a cap waits for its first request, to answer it
 * 503, before it is closed without one: long enough for a client to send the
 * request it connected for, short enough that refused connections do not pile up.
 */
export const OVER_CAP_WAIT_MS = 1_000;

/** The client's `address:port` as cookie events carry it (IPv6 in brackets). */
export function addressOf(socket: Duplex): string {
  if (!(socket instanceof net.Socket)) return 'unknown';
  const { remoteAddress, remotePort } = socket;
  if (remoteAddress === undefined) return 'unknown';
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort ?? 0}` : `${remoteAddress}:${remotePort ?? 0}`;
}

export type Identity = { readonly client: string; readonly answer?: undefined } | { readonly client?: undefined; readonly answer: ClientAnswer };

export class ClientGate {
  readonly #allow: AllowList;
  readonly #auth: ProxyAuth;
  readonly #caps: ConnectionCaps;
  readonly #overCap = new WeakMap<Duplex, CapRefusal>();
  #denied = 0;
  #refused = 0;
  #authRefused = 0;

  constructor(policy: ClientPolicy, slot: number) {
    this.#allow = new AllowList(policy.allow);
    this.#auth = new ProxyAuth(policy.credentials);
    this.#caps = new ConnectionCaps({
      counts: policy.connectionCounts.byteLength === 0 ? null : new Int32Array(policy.connectionCounts),
      slot,
      max: policy.maxConnections,
      perClient: policy.maxConnectionsPerClient,
    });
  }

  get denied(): number {
    return this.#denied;
  }

  get refused(): number {
    return this.#refused;
  }

  get authRefused(): number {
    return this.#authRefused;
  }

  /**
   * Decides on a connection the proxy just accepted. False when it was closed
   * (its address is not allowed). A connection over a cap is kept for its
   * first request, which `overCap` answers; any other holds its place under
   * the caps until it closes.
   */
  admit(socket: net.Socket): boolean {
    const address = socket.remoteAddress;
    if (address === undefined || !this.#allow.allows(address)) {
      this.#denied += 1;
      socket.destroy();
      return false;
    }
    const refusal = this.#caps.acquire(address);
    if (refusal !== null) {
      this.#refused += 1;
      this.#overCap.set(socket, refusal);
      const timer = setTimeout(() => socket.destroy(), OVER_CAP_WAIT_MS);
      socket.once('close', () => {
        clearTimeout(timer);
      });
      return true;
    }
    socket.once('close', () => {
      this.#caps.release(address);
    });
    return true;
  }

  /** The 503 for a connection admitted over a cap; null for any other. */
  overCap(socket: Duplex): ClientAnswer | null {
    const refusal = this.#overCap.get(socket);
    return refusal === undefined ? null : tooManyConnections(refusal);
  }

  /**
   * Who sends a request on `socket` with this Proxy-Authorization value:
   * `user@address:port` when the proxy requires credentials and they are
   * right, `address:port` when it requires none, or the 407 to answer.
   */
  identify(socket: Duplex, header: string | undefined): Identity {
    const address = addressOf(socket);
    if (!this.#auth.required) return { client: address };
    const user = this.#auth.authenticate(header);
    if (user === null) {
      this.#authRefused += 1;
      return { answer: proxyAuthRequired(header !== undefined) };
    }
    return { client: `${user}@${address}` };
  }
}
