/**
 * One request forwarded to its origin and its response passed back, over a
 * raw keep-alive connection from the pool, every body in its own framing.
 *
 *   start ─▶ the head rewritten by the codec (origin-form, Host, hop-by-hop) ─▶ upstream
 *   client body bytes ─▶ request scanner ─▶ upstream, as they came (chunked stays chunked)
 *   upstream bytes ─▶ response head parsed, its Set-Cookie captured ─▶ forwarded head ─▶ client
 *                  ├─ 1xx: passed on (to HTTP/1.1 clients); the final head follows
 *                  ├─ 101 to an upgrade: the two sockets joined
 *                  └─ body bytes ─▶ response scanner ─▶ client
 *   both ends done ─▶ the upstream connection back to the pool (when it may be
 *                     reused), the client connection on to its next request
 *
 * Failures before the response head reaches the client are answered 502/504
 * (a reused connection the origin had already closed is tried once more, for
 * an idempotent request without a body); after it, the client's connection is
 * cut: a short body on a closed connection, never a hang.
 */
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { BodyFraming, RequestFraming } from '../http1/body-framing.ts';
import type { BodyScanner } from '../http1/body-scanner.ts';
import { bodyScannerFor } from '../http1/body-scanner-for.ts';
import { connectionOptionsOf, isPersistent } from '../http1/connection-options.ts';
import type { RequestHead } from '../http1/parse-request-head.ts';
import type { ResponseHead } from '../http1/parse-response-head.ts';
import { parseResponseHead } from '../http1/parse-response-head.ts';
import { responseFraming } from '../http1/response-framing.ts';
import type { WireError } from '../http1/wire-problem.ts';
import { writeResponseHead } from '../http1/write-response-head.ts';
import { captureResponseCookies } from '../cookie-capture.ts';
import type { CookieSink } from '../cookie-capture.ts';
import type { Target } from '../target.ts';
import type { UpstreamFailure } from '../upstream-failure.ts';
import { UpstreamTimeout, classifyUpstreamFailure } from '../upstream-failure.ts';
import { answerMessage } from './answer-message.ts';
import type { UpstreamConnection, UpstreamKey, UpstreamOwner } from './upstream-connection.ts';
import { UPSTREAM_HEAD_LIMITS } from './upstream-head-limits.ts';
import type { UpstreamPool } from './upstream-pool.ts';
import { badResponse, malformedRequest } from './wire-answer.ts';

/** What an exchange needs of the client connection it serves. */
export interface ExchangeClient {
  /** Writes to the client; false when its buffer is full (onClientDrain follows). */
  write(bytes: Buffer): boolean;
  /** Stops reading the client (the origin is not taking the body as fast) … */
  holdReading(): void;
  /** … and reads it again. */
  releaseReading(): void;
  /** The exchange is over: `bytes` (an answer of the proxy's) go first, then the connection goes on or closes. */
  finish(bytes: Buffer | null, keepAlive: boolean): void;
  /** Closes the client connection at once: a response that cannot be completed. */
  cut(): void;
  /** Takes the socket out of the HTTP loop for a protocol switch, with the bytes read past the request. */
  detach(): { readonly socket: Duplex; readonly rest: Buffer | null };
}

/** What an exchange needs of the worker. */
export interface ExchangeServices {
  readonly pool: UpstreamPool;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  /** True while the worker drains: responses then close their connections. */
  closing(): boolean;
  onUpstreamError(failure: UpstreamFailure): void;
  /** Two sockets joined after a 101: counted as a tunnel, closed on drain. */
  joined(client: Duplex, upstream: Duplex): void;
}

/** A request the router decided to forward. */
export interface ForwardPlan {
  readonly head: RequestHead;
  readonly framing: RequestFraming;
  readonly target: Target;
  /** `host:port` as the failure texts name it. */
  readonly authority: string;
  readonly key: UpstreamKey;
  /** The head to send upstream, already written by the codec. */
  readonly upstreamHead: Buffer;
  /** A protocol switch was asked for: a connection of its own, joined on 101. */
  readonly upgrade: boolean;
  /** The client's label on cookie events. */
  readonly client: string;
  readonly sink: CookieSink | null;
}

/** RFC 9110 §9.2.2: methods a client may repeat (what the stale-connection retry may resend). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Writes of a head and a body piece up to this size are joined into one, saving a syscall. */
const JOIN_WRITES_UP_TO = 16 * 1024;

function joined(head: Buffer, body: Buffer): Buffer {
  return body.length === 0 ? head : Buffer.concat([head, body], head.length + body.length);
}

export class Exchange implements UpstreamOwner {
  readonly #client: ExchangeClient;
  readonly #services: ExchangeServices;
  readonly #plan: ForwardPlan;
  /** The client connection may carry another request after this one (its version and Connection). */
  readonly #clientPersistent: boolean;
  #requestScanner: BodyScanner | null;
  #upstream: UpstreamConnection | null = null;
  /** The origin's side is gone (after a complete response): the rest of the client's body is dropped. */
  #upstreamGone = false;
  #retried = false;
  /** The connection in use came from the idle list. */
  #lastWasReused = false;
  #gotResponseBytes = false;
  #pendingResponse: Buffer | null = null;
  #resumeAt = 0;
  #responseScanner: BodyScanner | null = null;
  #responseDone = false;
  /** The final response head went to the client: failures now cut the connection. */
  #headSent = false;
  #keepAlive = false;
  #reusable = false;
  #upstreamPaused = false;
  /** performance.now() by which the phase must be over; 0 for none. */
  #deadline = 0;
  #phase: 'connect' | 'response' = 'connect';
  #ended = false;

  constructor(client: ExchangeClient, services: ExchangeServices, plan: ForwardPlan) {
    this.#client = client;
    this.#services = services;
    this.#plan = plan;
    this.#clientPersistent = isPersistent(plan.head.version, connectionOptionsOf(plan.head.fields));
    this.#requestScanner = plan.framing.kind === 'none' ? null : bodyScannerFor(plan.framing, 'request');
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The client's body is still to come (so a quiet client means a stalled request). */
  get awaitsBody(): boolean {
    return !this.#ended && this.#requestScanner !== null;
  }

  /** Whether the response head has reached the client (a stall then cuts rather than answers). */
  get responseStarted(): boolean {
    return this.#headSent;
  }

  /**
   * Sends the request. `body` holds client bytes read past the head; returns
   * how many of them belong to this request's body.
   */
  start(body: Buffer | null): number {
    const { pool } = this.#services;
    const upstream = this.#plan.upgrade ? pool.connect(this.#plan.key, this, false) : pool.acquire(this.#plan.key, this);
    this.#upstream = upstream;
    this.#lastWasReused = upstream.reused;
    if (!upstream.connected) this.#arm('connect', this.#services.connectTimeoutMs);
    let consumed = 0;
    let first = this.#plan.upstreamHead;
    if (this.#requestScanner !== null && body !== null && body.length > 0) {
      consumed = this.#scanBody(body, 0);
      if (consumed < 0) return -1;
      if (consumed > 0 && consumed <= JOIN_WRITES_UP_TO) first = joined(first, body.subarray(0, consumed));
      else if (consumed > 0) {
        upstream.socket.write(first);
        first = body.subarray(0, consumed);
      }
    }
    if (!upstream.socket.write(first)) this.#client.holdReading();
    if (this.#requestScanner === null) this.#requestSent();
    return consumed;
  }

  /** More client bytes while the body is in flight; returns how many are body (-1: the exchange failed). */
  feedBody(chunk: Buffer, start: number): number {
    const consumed = this.#scanBody(chunk, start);
    if (consumed <= 0) return consumed;
    const upstream = this.#upstream;
    if (upstream !== null && !this.#upstreamGone) {
      const piece = start === 0 && consumed === chunk.length ? chunk : chunk.subarray(start, start + consumed);
      if (!upstream.socket.write(piece)) this.#client.holdReading();
    }
    if (this.#requestScanner === null) this.#requestSent();
    return consumed;
  }

  /** The client connection closed or stalled: the origin's side is dropped, nothing is answered. */
  abort(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#dropUpstream();
  }

  /** The client took what was written: the origin's bytes may flow again. */
  onClientDrain(): void {
    if (this.#upstreamPaused) {
      this.#upstreamPaused = false;
      this.#upstream?.socket.resume();
    }
  }

  /** Checks the upstream deadlines (the connection clock calls this). */
  check(now: number): void {
    if (this.#deadline === 0 || now < this.#deadline || this.#ended) return;
    this.#deadline = 0;
    const { connectTimeoutMs, responseTimeoutMs } = this.#services;
    this.#fail(new UpstreamTimeout(this.#phase, this.#phase === 'connect' ? connectTimeoutMs : responseTimeoutMs));
  }

  onUpstreamConnect(): void {
    if (this.#phase === 'connect') this.#deadline = 0;
    if (this.#requestScanner === null && this.#responseScanner === null) this.#arm('response', this.#services.responseTimeoutMs);
  }

  onUpstreamDrain(): void {
    this.#client.releaseReading();
  }

  onUpstreamData(chunk: Buffer): void {
    if (this.#ended) return;
    this.#gotResponseBytes = true;
    if (this.#responseScanner !== null) {
      this.#passBody(chunk, 0, null);
      return;
    }
    let bytes = this.#pendingResponse === null ? chunk : Buffer.concat([this.#pendingResponse, chunk]);
    for (;;) {
      const parsed = parseResponseHead(bytes, UPSTREAM_HEAD_LIMITS, this.#resumeAt);
      if (parsed.kind === 'incomplete') {
        this.#pendingResponse = bytes;
        this.#resumeAt = parsed.resumeAt;
        return;
      }
      this.#pendingResponse = null;
      this.#resumeAt = 0;
      if (parsed.kind === 'error') {
        this.#fail(badResponse(parsed, this.#plan.authority));
        return;
      }
      const framing = responseFraming(parsed, { method: this.#plan.head.method, upgrade: this.#plan.upgrade });
      if (framing.kind === 'error') {
        this.#fail(badResponse(framing, this.#plan.authority));
        return;
      }
      if (framing.kind !== 'interim') {
        this.#onResponseHead(parsed, framing, bytes);
        return;
      }
      // RFC 9110 §15.2: a proxy forwards 1xx responses, but "a server MUST NOT
      // send a 1xx response to an HTTP/1.0 client". The final response follows.
      if (this.#plan.head.version === '1.1') this.#client.write(writeResponseHead(parsed, framing, { connection: 'keep-alive' }));
      // The origin is alive: the wait for the final response starts again,
      // or (a 100 Continue before the body) once the body is sent.
      if (this.#requestScanner === null) this.#arm('response', this.#services.responseTimeoutMs);
      else this.#deadline = 0;
      bytes = bytes.subarray(parsed.length);
      if (bytes.length === 0) return;
    }
  }

  onUpstreamEnd(): void {
    // A body that runs until the origin closes ends here; anything else waits for 'close'.
    const scanner = this.#responseScanner;
    if (scanner === null || this.#responseDone || this.#ended) return;
    if (scanner.finish().kind === 'done') {
      this.#reusable = false;
      this.#responseFinished();
    }
  }

  onUpstreamClose(error: Error | null): void {
    this.#upstream = null;
    if (this.#ended) return;
    if (this.#responseDone) {
      // The response is whole; the client's body is still coming: it is read and dropped.
      this.#upstreamGone = true;
      this.#client.releaseReading();
      return;
    }
    const scanner = this.#responseScanner;
    if (scanner !== null) {
      if (scanner.finish().kind === 'done') {
        this.#reusable = false;
        this.#responseFinished();
      } else {
        // The origin died mid-body: the client's response ends short, on a closed connection.
        this.#ended = true;
        this.#client.cut();
      }
      return;
    }
    if (this.#mayRetry()) {
      this.#retry();
      return;
    }
    this.#fail(error ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  }

  /** Scans client body bytes; on a framing error the exchange fails (-1). */
  #scanBody(chunk: Buffer, start: number): number {
    const scanner = this.#requestScanner;
    if (scanner === null) return 0;
    const scan = scanner.feed(chunk, start, chunk.length);
    if (scan.kind === 'error') {
      this.#bodyRefused(scan);
      return -1;
    }
    if (scan.kind === 'done') this.#requestScanner = null;
    return scan.consumed;
  }

  /** The whole request is with the origin (or dropped): the response is awaited, or the exchange ends. */
  #requestSent(): void {
    if (this.#responseDone) {
      this.#end();
      return;
    }
    if (this.#responseScanner === null && this.#upstream?.connected === true) this.#arm('response', this.#services.responseTimeoutMs);
  }

  #onResponseHead(head: ResponseHead, framing: BodyFraming, bytes: Buffer): void {
    this.#deadline = 0;
    const plan = this.#plan;
    if (plan.sink !== null) captureResponseCookies(plan.sink, plan.target, head.setCookies, plan.client);
    if (framing.kind === 'tunnel') {
      this.#switchProtocols(head, framing, bytes.subarray(head.length));
      return;
    }
    this.#keepAlive = !plan.upgrade && this.#clientPersistent && framing.kind !== 'close' && !this.#services.closing();
    this.#reusable = !plan.upgrade && framing.kind !== 'close' && isPersistent(head.version, connectionOptionsOf(head.fields));
    this.#responseScanner = bodyScannerFor(framing, 'response');
    this.#passBody(bytes, head.length, writeResponseHead(head, framing, { connection: this.#keepAlive ? 'keep-alive' : 'close' }));
  }

  /** Passes response body bytes from `start` on to the client, after `head` when it is the first piece. */
  #passBody(bytes: Buffer, start: number, head: Buffer | null): void {
    const scanner = this.#responseScanner;
    if (scanner === null) return;
    const scan = scanner.feed(bytes, start, bytes.length);
    if (scan.kind === 'error') {
      // The origin broke its own framing: 502 while nothing went out yet, else the connection is cut.
      this.#fail(badResponse(scan, this.#plan.authority));
      return;
    }
    const end = start + scan.consumed;
    // Bytes past the response on a connection we asked nothing more of: it cannot be reused.
    if (scan.kind === 'done' && end < bytes.length) this.#reusable = false;
    const piece = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
    let flowing: boolean;
    this.#headSent = true;
    if (head === null) flowing = piece.length === 0 || this.#client.write(piece);
    else if (piece.length <= JOIN_WRITES_UP_TO) flowing = this.#client.write(joined(head, piece));
    else {
      this.#client.write(head);
      flowing = this.#client.write(piece);
    }
    if (scan.kind === 'done') {
      this.#responseFinished();
      return;
    }
    if (!flowing && !this.#upstreamPaused) {
      this.#upstreamPaused = true;
      this.#upstream?.socket.pause();
    }
  }

  #responseFinished(): void {
    this.#responseDone = true;
    if (this.#requestScanner === null) this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const upstream = this.#upstream;
    this.#upstream = null;
    if (upstream !== null) {
      if (this.#reusable && !this.#upstreamGone && !this.#upstreamPaused) this.#services.pool.release(upstream);
      else {
        upstream.owner = null;
        upstream.socket.destroy();
      }
    }
    this.#client.finish(null, this.#keepAlive);
  }

  /** A 101: the head goes to the client, then each socket gets what the other sent early, and they are joined. */
  #switchProtocols(head: ResponseHead, framing: BodyFraming, rest: Buffer): void {
    const upstream = this.#upstream;
    if (upstream === null) return;
    this.#ended = true;
    this.#upstream = null;
    const upstreamSocket = upstream.detach();
    this.#client.write(joined(writeResponseHead(head, framing, { connection: 'keep-alive' }), rest));
    const client = this.#client.detach();
    if (client.rest !== null && client.rest.length > 0) upstreamSocket.write(client.rest);
    this.#services.joined(client.socket, upstreamSocket);
  }

  #mayRetry(): boolean {
    const plan = this.#plan;
    return (
      !this.#retried &&
      !this.#gotResponseBytes &&
      this.#lastWasReused &&
      !plan.upgrade &&
      plan.framing.kind === 'none' &&
      IDEMPOTENT.has(plan.head.method)
    );
  }

  /** The origin closed a pooled connection just as it was reused: nothing reached it, so the request goes again. */
  #retry(): void {
    this.#retried = true;
    const upstream = this.#services.pool.connect(this.#plan.key, this, true);
    this.#upstream = upstream;
    this.#lastWasReused = false;
    this.#arm('connect', this.#services.connectTimeoutMs);
    upstream.socket.write(this.#plan.upstreamHead);
  }

  /** The client's body broke its framing: 400 if the response has not begun, else the connection is cut. */
  #bodyRefused(error: WireError): void {
    this.#ended = true;
    this.#dropUpstream();
    if (this.#headSent) this.#client.cut();
    else this.#client.finish(answerMessage(malformedRequest(error), { close: true, head: false }), false);
  }

  #fail(cause: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#dropUpstream();
    const failure = isFailure(cause) ? cause : classifyUpstreamFailure(cause, this.#plan.authority);
    this.#services.onUpstreamError(failure);
    if (this.#headSent) {
      this.#client.cut();
      return;
    }
    const keepAlive = this.#clientPersistent && this.#requestScanner === null && !this.#plan.upgrade && !this.#services.closing();
    this.#client.finish(answerMessage(failure, { close: !keepAlive, head: this.#plan.head.method === 'HEAD' }), keepAlive);
  }

  #dropUpstream(): void {
    const upstream = this.#upstream;
    this.#upstream = null;
    if (upstream === null) return;
    upstream.owner = null;
    upstream.socket.destroy();
  }

  #arm(phase: 'connect' | 'response', ms: number): void {
    this.#phase = phase;
    this.#deadline = ms > 0 ? performance.now() + ms : 0;
  }
}

function isFailure(cause: unknown): cause is UpstreamFailure {
  return typeof cause === 'object' && cause !== null && 'status' in cause && 'code' in cause && 'text' in cause && !(cause instanceof Error);
}
