/**
 * One client connection's HTTP/1.1 loop, on the proxy's own port or inside a
 * tunnel (a decrypted TLS socket, or plain HTTP in a CONNECT):
 *
 *   bytes ─▶ pending ─▶ parseRequestHead (resumed as bytes come) ─▶ requestFraming ─▶ route
 *     answer, CA page ─▶ written; the next request, or close
 *     CONNECT ─▶ the socket leaves the loop for the tunnel router
 *     forward ─▶ an Exchange; body bytes go to it until its framing ends, and
 *                pipelined requests wait in `pending` until its response is done
 *
 * Deadlines, checked by the connection clock (`check`), none armed per request:
 * - a request head must be whole within `headersTimeoutMs` of the connection
 *   starting (a TLS handshake in a tunnel included), or of its first byte on a
 *   kept-alive connection: else 408, closed;
 * - a kept-alive connection with no request for `idleTimeoutMs`: closed;
 * - a request waiting on its client (a body that stopped coming, a response it
 *   stopped reading) with no byte moving for `idleTimeoutMs`: 408 if the
 *   response has not begun, else cut; the origin's side is dropped. Waiting on
 *   the origin is not a stall: the exchange's upstream deadlines cover it.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { LINGER_MS, requestTimeout } from '../client-answer.ts';
import type { CookieSink } from '../cookie-capture.ts';
import type { RequestFraming } from '../http1/body-framing.ts';
import { connectionOptionsOf, isPersistent } from '../http1/connection-options.ts';
import type { HeadLimits } from '../http1/head-limits.ts';
import type { RequestHead } from '../http1/parse-request-head.ts';
import { parseRequestHead } from '../http1/parse-request-head.ts';
import { requestFraming } from '../http1/request-framing.ts';
import { answerMessage, staticMessage } from './answer-message.ts';
import type { TunnelInfo } from './connect-router.ts';
import type { UpstreamKey } from './upstream-connection.ts';
import type { Exchange, ExchangeClient, ExchangeServices } from './exchange.ts';
import type { Route, RouteContext } from './request-route.ts';
import { routeRequest } from './request-route.ts';
import { requestRefusal } from './wire-answer.ts';

/** What a client connection needs of the worker. */
export interface ConnectionServices extends ExchangeServices {
  readonly limits: HeadLimits;
  /** `--max-header-size`, named in a 431. */
  readonly maxHeaderSize: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly route: RouteContext;
  /** Where a request's cookie headers go; null when its origin is not synced now. */
  capture(scheme: 'http' | 'https', host: string, port: number): CookieSink | null;
  /** Starts forwarding a request (now, or once the jar's hold lifts). */
  forward(connection: ClientConnection, head: RequestHead, framing: RequestFraming, route: Extract<Route, { kind: 'forward' }>): void;
  /** Takes over a socket whose CONNECT was admitted; `early` holds the bytes sent after it. */
  connect(socket: net.Socket, host: string, port: number, early: Buffer, client: string): void;
  onRequest(): void;
  onClientTimeout(): void;
  /** A request began (counted in flight until it ends) … */
  exchangeStarted(): void;
  /** … and ended, or was dropped with its connection. */
  exchangeEnded(): void;
  /** The connection closed or left the loop. */
  closed(connection: ClientConnection): void;
}

/** Why the client is not being read (bits): */
const PAUSED_FOR_UPSTREAM = 1;
const PAUSED_FOR_PIPELINE = 2;
const PAUSED_FOR_HOLD = 4;

const EMPTY = Buffer.alloc(0);

function bytesMoved(socket: net.Socket): number {
  return socket.bytesRead + socket.bytesWritten;
}

export class ClientConnection implements ExchangeClient {
  readonly socket: net.Socket;
  readonly tunnel: TunnelInfo | null;
  /** The upstream pool key of its last request, reused while it asks the same origin. */
  lastKey: UpstreamKey | null = null;
  readonly #services: ConnectionServices;
  #pending: Buffer | null = null;
  #resumeAt = 0;
  #exchange: Exchange | null = null;
  /** A request waits for the jar's hold to lift; its body stays unread. */
  #held = false;
  /** Takes the held request out of the hold's list when the connection goes first. */
  #withdraw: (() => void) | undefined;
  #paused = 0;
  /** Inside the data handler or the parse loop: an exchange that ends now lets the loop go on. */
  #busy = false;
  #served = 0;
  readonly #startedAt: number;
  #idleSince: number;
  #headStartedAt = 0;
  #moved = 0;
  #quietSince = 0;
  #clientEnded = false;
  /** Its last answer is written: what comes in is dropped until it closes. */
  #closing = false;
  #gone = false;
  /** A TLS socket's handshake is done (plain sockets: always). */
  #handshaken: boolean;

  constructor(socket: net.Socket, tunnel: TunnelInfo | null, services: ConnectionServices) {
    this.socket = socket;
    this.tunnel = tunnel;
    this.#services = services;
    this.#startedAt = performance.now();
    this.#idleSince = this.#startedAt;
    this.#handshaken = !(socket instanceof tls.TLSSocket);
    if (!this.#handshaken) {
      socket.once('secure', () => {
        this.#handshaken = true;
      });
    }
  }

  get inFlight(): boolean {
    return this.#exchange !== null || this.#held;
  }

  /** Starts reading; `early` holds bytes already read from the socket (a tunnel's first bytes). */
  start(early: Buffer | null): void {
    const { socket } = this;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('drain', this.#onDrain);
    socket.once('close', this.#onClose);
    if (early !== null && early.length > 0) this.#onData(early);
    if (this.#paused === 0 && !this.#gone) socket.resume();
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  holdReading(): void {
    this.#pause(PAUSED_FOR_UPSTREAM);
  }

  releaseReading(): void {
    this.#resume(PAUSED_FOR_UPSTREAM);
  }

  finish(bytes: Buffer | null, keepAlive: boolean): void {
    if (this.#gone) return;
    if (this.#exchange !== null) {
      this.#exchange = null;
      this.#services.exchangeEnded();
    }
    this.#served += 1;
    const now = performance.now();
    this.#idleSince = now;
    this.#headStartedAt = this.#pending === null ? 0 : now;
    if (bytes !== null) this.socket.write(bytes);
    if (!keepAlive || this.#clientEnded || this.#services.closing()) {
      this.#close();
      return;
    }
    this.#resume(PAUSED_FOR_PIPELINE | PAUSED_FOR_UPSTREAM);
    if (!this.#busy) this.#next();
  }

  cut(): void {
    this.socket.destroy();
  }

  detach(): { readonly socket: net.Socket; readonly rest: Buffer | null } {
    const { socket } = this;
    const rest = this.#pending;
    this.#pending = null;
    this.#leave();
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('drain', this.#onDrain);
    socket.off('close', this.#onClose);
    // Whoever takes the socket reads it: until then its bytes wait in the stream.
    socket.pause();
    return { socket, rest };
  }

  /** Closes the connection if no request is in flight (a drain). */
  closeIfIdle(): void {
    if (!this.inFlight && !this.#gone) this.#close();
  }

  /** A request the hold let go (or that was never held) starts here. */
  begin(exchange: Exchange): void {
    this.#held = false;
    this.#resume(PAUSED_FOR_HOLD);
    this.#exchange = exchange;
    this.#services.exchangeStarted();
    this.#moved = bytesMoved(this.socket);
    this.#quietSince = performance.now();
    const body = this.#pending;
    this.#pending = null;
    const wasBusy = this.#busy;
    this.#busy = true;
    const used = exchange.start(body);
    this.#busy = wasBusy;
    // Failed at once (a body the codec refused): the connection is closing.
    if (this.#gone || this.#exchange !== exchange) return;
    if (body !== null && used < body.length) this.#pending = body.subarray(used);
  }

  /** A request waits for the jar's hold before it is forwarded: its body stays in the socket. */
  hold(withdraw: () => void): void {
    this.#held = true;
    this.#withdraw = withdraw;
    this.#services.exchangeStarted();
    this.#pause(PAUSED_FOR_HOLD);
  }

  /** The hold let the request go: true when it is still there to forward (its client did not leave). */
  letGo(): boolean {
    if (!this.#held || this.#gone) return false;
    this.#held = false;
    this.#withdraw = undefined;
    this.#services.exchangeEnded();
    this.#resume(PAUSED_FOR_HOLD);
    return true;
  }

  /** A held request that is answered instead of forwarded (503 busy), or dropped. */
  unhold(bytes: Buffer | null): void {
    if (!this.#held) return;
    this.#held = false;
    this.#withdraw = undefined;
    this.#services.exchangeEnded();
    this.#resume(PAUSED_FOR_HOLD);
    // The body, if any, was never read: the connection cannot go on.
    if (bytes !== null) this.socket.write(bytes);
    this.#close();
  }

  /** The connection clock's visit: see the deadlines at the top of the file. */
  check(now: number): void {
    if (this.#gone || this.#closing) return;
    const exchange = this.#exchange;
    if (exchange !== null) {
      exchange.check(now);
      // A connection that left the loop has no exchange either.
      if (this.#exchange !== exchange) return;
      this.#checkStall(exchange, now);
      return;
    }
    if (this.#held) return;
    const { headersTimeoutMs, idleTimeoutMs } = this.#services;
    const headStart = this.#served === 0 ? this.#startedAt : this.#headStartedAt;
    if (headStart !== 0) {
      if (now - headStart < headersTimeoutMs) return;
      this.#services.onClientTimeout();
      if (this.#handshaken) this.#answerAndClose(answerMessage(requestTimeout('the request head did not arrive in time'), { close: true, head: false }));
      else this.socket.destroy();
      return;
    }
    if (now - this.#idleSince >= idleTimeoutMs) this.socket.destroy();
  }

  #checkStall(exchange: Exchange, now: number): void {
    const moved = bytesMoved(this.socket);
    if (moved !== this.#moved) {
      this.#moved = moved;
      this.#quietSince = now;
      return;
    }
    const { idleTimeoutMs } = this.#services;
    if (now - this.#quietSince < idleTimeoutMs) return;
    // The client stopped reading, or its body stopped coming while nothing upstream held it back.
    const waitsOnClient = this.socket.writableNeedDrain || (exchange.awaitsBody && (this.#paused & PAUSED_FOR_UPSTREAM) === 0);
    if (!waitsOnClient) return;
    this.#services.onClientTimeout();
    const started = exchange.responseStarted;
    exchange.abort();
    if (started) this.cut();
    else this.finish(answerMessage(requestTimeout(`the request stalled: nothing moved for ${idleTimeoutMs} ms`), { close: true, head: false }), false);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#gone || this.#closing) return;
    this.#busy = true;
    this.#take(chunk);
    this.#busy = false;
    if (this.#exchange === null && !this.#held) this.#next();
  };

  #take(chunk: Buffer): void {
    let rest = chunk;
    const exchange = this.#exchange;
    if (exchange !== null && exchange.awaitsBody && this.#pending === null) {
      const used = exchange.feedBody(chunk, 0);
      if (used < 0 || used === chunk.length || this.#gone || this.#closing) return;
      rest = chunk.subarray(used);
    }
    if (this.#pending === null) {
      this.#pending = rest;
      if (this.#exchange === null && !this.#held && this.#headStartedAt === 0) this.#headStartedAt = performance.now();
    } else {
      this.#pending = Buffer.concat([this.#pending, rest]);
    }
    // Requests pipelined behind one in flight wait; past a head's worth, so does reading.
    if ((this.#exchange !== null || this.#held) && this.#pending.length > this.#services.limits.maxHeadBytes) this.#pause(PAUSED_FOR_PIPELINE);
  }

  /** Parses and starts the requests waiting in `pending`, one at a time. */
  #next(): void {
    const wasBusy = this.#busy;
    this.#busy = true;
    while (!this.#gone && !this.#closing && this.#exchange === null && !this.#held) {
      const pending = this.#pending;
      if (pending === null) break;
      const { limits, maxHeaderSize } = this.#services;
      const parsed = parseRequestHead(pending, limits, this.#resumeAt);
      if (parsed.kind === 'incomplete') {
        this.#resumeAt = parsed.resumeAt;
        break;
      }
      this.#resumeAt = 0;
      if (parsed.kind === 'error') {
        this.#answerAndClose(answerMessage(requestRefusal(parsed, maxHeaderSize, limits.maxFields), { close: true, head: false }));
        break;
      }
      const framing = requestFraming(parsed);
      if (framing.kind === 'error') {
        this.#answerAndClose(answerMessage(requestRefusal(framing, maxHeaderSize, limits.maxFields), { close: true, head: false }));
        break;
      }
      this.#pending = parsed.length === pending.length ? null : pending.subarray(parsed.length);
      this.#headStartedAt = 0;
      this.#request(parsed, framing);
    }
    this.#busy = wasBusy;
  }

  #request(head: RequestHead, framing: RequestFraming): void {
    const route = routeRequest(head, this.socket, this.tunnel, this.#services.route);
    if (route.kind === 'connect') {
      const { socket, rest } = this.detach();
      this.#services.connect(socket, route.host, route.port, rest ?? EMPTY, route.client);
      return;
    }
    this.#services.onRequest();
    if (route.kind === 'forward') {
      this.#services.forward(this, head, framing, route);
      return;
    }
    // Answered here. A body it came with is not read: the connection closes after.
    const keepAlive = route.kind === 'page' && framing.kind === 'none' && this.keepsAlive(head);
    const options = { close: !keepAlive, head: head.method === 'HEAD' };
    const bytes = route.kind === 'page' ? staticMessage(route.response, options) : answerMessage(route.answer, options);
    if (keepAlive) this.finish(bytes, true);
    else this.#answerAndClose(bytes);
  }

  /** Whether the client lets the connection go on after this request (RFC 9112 §9.3). */
  keepsAlive(head: RequestHead): boolean {
    return isPersistent(head.version, connectionOptionsOf(head.fields)) && !this.#clientEnded && !this.#services.closing();
  }

  /** Writes a closing answer; the connection is closed after it (finish() counts it as served). */
  #answerAndClose(bytes: Buffer): void {
    this.finish(bytes, false);
  }

  /**
   * Ends the connection after what was written, and goes on reading (and
   * dropping) what the client still sends for up to LINGER_MS: closing with
   * unread bytes makes the kernel send a reset, which can destroy the answer
   * before the client reads it (a 431 to a client still sending a 1 MB head).
   */
  #close(): void {
    if (this.#closing || this.#gone) return;
    this.#closing = true;
    this.#pending = null;
    const { socket } = this;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => {
      clearTimeout(timer);
    });
    this.#paused = 0;
    socket.resume();
  }

  #pause(reason: number): void {
    if (this.#paused === 0 && !this.#closing) this.socket.pause();
    this.#paused |= reason;
  }

  #resume(reasons: number): void {
    if (this.#paused === 0) return;
    this.#paused &= ~reasons;
    if (this.#paused === 0 && !this.#gone) this.socket.resume();
  }

  /** Out of the loop: closed, or handed over. */
  #leave(): void {
    if (this.#gone) return;
    this.#gone = true;
    const exchange = this.#exchange;
    this.#exchange = null;
    if (exchange !== null) this.#services.exchangeEnded();
    if (this.#held) {
      this.#held = false;
      this.#withdraw?.();
      this.#withdraw = undefined;
      this.#services.exchangeEnded();
    }
    this.#services.closed(this);
  }

  readonly #onEnd = (): void => {
    this.#clientEnded = true;
    const exchange = this.#exchange;
    if (this.#closing || exchange?.awaitsBody === true) {
      // Closing anyway, or a body cut short: nothing more can be done on this connection.
      exchange?.abort();
      this.socket.destroy();
      return;
    }
    // A request in flight is answered first (finish() then closes); with none, the client is done.
    if (exchange === null && !this.#held) this.#close();
  };

  readonly #onError = (): void => {
    this.socket.destroy();
  };

  readonly #onDrain = (): void => {
    this.#exchange?.onClientDrain();
  };

  readonly #onClose = (): void => {
    const exchange = this.#exchange;
    this.#leave();
    exchange?.abort();
  };
}
