import type { Duplex } from 'node:stream';

/**
 * Knows every client connection a worker holds and how many requests each has in
 * flight, for stats and for a drain that lets requests finish while closing
 * idle keep-alive connections. Node's own idle tracking covers only sockets a
 * listening server accepted, not the decrypted sockets of CONNECT tunnels.
 */
export class ConnectionTracker {
  readonly #active = new Map<Duplex, number>();
  readonly #tunnels = new Set<Duplex>();
  #total = 0;
  #requests = 0;
  #inFlight = 0;
  #onIdle: (() => void) | undefined;

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

  /** A client connection that carries HTTP (plain, or decrypted from a tunnel). */
  track(socket: Duplex, counted = true): void {
    if (this.#active.has(socket)) return;
    if (counted) this.#total += 1;
    this.#active.set(socket, 0);
    // Requests on a closing socket end through their responses' 'close' events.
    socket.once('close', () => this.#active.delete(socket));
  }

  /** A connection whose bytes the worker cannot see into (blind tunnel, upgraded socket). */
  trackTunnel(socket: Duplex): void {
    this.#active.delete(socket);
    this.#tunnels.add(socket);
    socket.once('close', () => this.#tunnels.delete(socket));
  }

  /** Stops tracking a socket another one now wraps (a TLS socket over a tunnel). */
  forget(socket: Duplex): void {
    this.#active.delete(socket);
  }

  requestStarted(socket: Duplex): void {
    this.#requests += 1;
    this.#inFlight += 1;
    this.#active.set(socket, (this.#active.get(socket) ?? 0) + 1);
  }

  requestEnded(socket: Duplex): void {
    const pending = this.#active.get(socket);
    if (pending !== undefined) this.#active.set(socket, Math.max(0, pending - 1));
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#inFlight === 0 && this.#onIdle !== undefined) {
      const resolve = this.#onIdle;
      this.#onIdle = undefined;
      resolve();
    }
  }

  /** Closes HTTP connections with no request in flight. */
  closeIdle(): void {
    for (const [socket, pending] of this.#active) if (pending === 0) socket.end();
  }

  /** Resolves when no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  destroyAll(): void {
    for (const socket of this.#active.keys()) socket.destroy();
    for (const socket of this.#tunnels) socket.destroy();
  }
}
