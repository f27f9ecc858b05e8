/**
 * The client side of a worker: who is let in (ClientGate), what each
 * connection is doing (ConnectionTracker), and what a client that breaks the
 * rules gets.
 *
 *   accepted socket ─▶ accept(): closed (address not allowed), kept for its 503 (over a cap), or tracked
 *   CONNECT / upgrade ─▶ admit(): the client label, or 503 / 407 written and closed
 *   parse error ─▶ onClientError: 400 / 431 / 408 (client-errors.ts)
 *   late request head ─▶ 408, closed          stalled request ─▶ 408, or cut once the response began
 */
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientPolicy } from '../workers/protocol.ts';
import { answerAndClose, requestTimeout, sendAnswer } from './client-answer.ts';
import { onClientError } from './client-errors.ts';
import { ClientGate } from './client-gate.ts';
import type { Exchange } from './connection-tracker.ts';
import { ConnectionTracker } from './connection-tracker.ts';

export class ClientConnections {
  readonly policy: ClientPolicy;
  readonly gate: ClientGate;
  readonly tracker: ConnectionTracker;
  readonly #idleTimeoutMs: number;
  #timeouts = 0;

  /** The 'clientError' listener of both http servers. */
  readonly onClientError = (error: NodeJS.ErrnoException, socket: Duplex): void => {
    onClientError(error, socket, {
      maxHeaderSize: this.policy.maxHeaderSize,
      exchangesOn: (errored) => this.tracker.exchangesOn(errored),
      onTimeout: () => {
        this.#timeouts += 1;
      },
    });
  };

  constructor(policy: ClientPolicy, slot: number, idleTimeoutMs: number) {
    this.policy = policy;
    this.gate = new ClientGate(policy, slot);
    this.#idleTimeoutMs = idleTimeoutMs;
    this.tracker = new ConnectionTracker({
      headersTimeoutMs: policy.headersTimeoutMs,
      idleTimeoutMs,
      onHeadTimeout: (socket) => {
        this.#timeouts += 1;
        answerAndClose(socket, requestTimeout('the request head did not arrive in time'));
      },
      onStall: (exchange) => {
        this.#stall(exchange);
      },
    });
  }

  /** Clients answered 408 or cut for a late head or a stalled request. */
  get timeouts(): number {
    return this.#timeouts;
  }

  /** A connection the listening server just accepted. */
  accept(socket: net.Socket): void {
    if (this.gate.admit(socket) && this.gate.overCap(socket) === null) this.tracker.track(socket);
  }

  /**
   * The client label of a CONNECT or an upgrade on the outer server, or null
   * when the socket was answered instead (503 over a cap, 407) and is closing.
   */
  admit(req: IncomingMessage, socket: Duplex): string | null {
    socket.on('error', () => socket.destroy());
    const overCap = this.gate.overCap(socket);
    if (overCap !== null) {
      answerAndClose(socket, overCap);
      return null;
    }
    const who = this.gate.identify(req);
    if (who.answer !== undefined) {
      answerAndClose(socket, who.answer);
      return null;
    }
    return who.client;
  }

  /** A request that waited on its client with nothing moving: 408 if it can still be answered, else cut. */
  #stall(exchange: Exchange): void {
    this.#timeouts += 1;
    exchange.abortUpstream();
    if (exchange.res.headersSent) exchange.res.destroy();
    else sendAnswer(exchange.res, requestTimeout(`the request stalled: nothing moved for ${this.#idleTimeoutMs} ms`), true);
  }
}
