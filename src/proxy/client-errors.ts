/**
 * What a client that sent something unparseable gets. Node answers these
 * itself when no 'clientError' listener is attached; with one, the answer is
 * ours to give, and so is closing the socket.
 *
 *   parse error before a request began ─▶ 400 / 431 / 408, then close
 *   parse error inside a request in flight (a bad chunk in a body being
 *   forwarded) ─▶ the upstream side dropped; 400 if the response has not
 *   begun, else the connection is cut
 */
import type { Duplex } from 'node:stream';
import type { ClientAnswer } from './client-answer.ts';
import { answerAndClose, badRequest, headersTooLarge, requestTimeout, sendAnswer, wasAnswered } from './client-answer.ts';
import type { Exchange } from './connection-tracker.ts';

export interface ClientErrorContext {
  /** The request-line-and-headers limit, named in the 431. */
  readonly maxHeaderSize: number;
  /** The requests in flight on a socket. */
  readonly exchangesOn: (socket: Duplex) => readonly Exchange[];
  /** Called for a head that did not arrive in time (Node's own headers timeout). */
  readonly onTimeout: () => void;
}

/** The answer for a parse error before any request began. */
export function answerFor(error: NodeJS.ErrnoException, maxHeaderSize: number): ClientAnswer {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return headersTooLarge(maxHeaderSize);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestTimeout('the request head did not arrive in time');
    default: {
      // Node's parser errors carry llhttp's own words in `reason` ("Invalid header value char").
      const reason: unknown = (error as { reason?: unknown }).reason;
      return badRequest(`malformed request (${error.code ?? 'parse error'}${typeof reason === 'string' ? `: ${reason}` : ''})`);
    }
  }
}

export function onClientError(error: NodeJS.ErrnoException, socket: Duplex, context: ClientErrorContext): void {
  // The parser reports bytes that follow the first error too; the socket is
  // already answered and lingering.
  if (wasAnswered(socket)) return;
  if (!socket.writable || error.code === 'ECONNRESET' || error.code?.startsWith('ERR_SSL') === true) {
    socket.destroy();
    return;
  }
  const inFlight = context.exchangesOn(socket);
  if (inFlight.length > 0) {
    for (const exchange of inFlight) {
      exchange.abortUpstream();
      if (exchange.res.headersSent) exchange.res.destroy();
      else sendAnswer(exchange.res, badRequest(`malformed request body (${error.code ?? 'parse error'})`), true);
    }
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') context.onTimeout();
  answerAndClose(socket, answerFor(error, context.maxHeaderSize));
}
