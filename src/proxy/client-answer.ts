/**
 * The answers the proxy itself gives a client: a status, a one-line text
 * body, the stable error code in `x-jarsync-error`, and any header the status
 * needs (Retry-After, Proxy-Authenticate). Written as raw bytes: within a
 * connection's HTTP loop by the engine (engine/wire-answer.ts), or on a socket
 * being refused (a cap, a CONNECT that cannot be served), followed by a close.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../errors.ts';
import { PROXY_AUTHENTICATE } from './proxy-auth.ts';

export interface ClientAnswer {
  readonly status: number;
  readonly code: ErrorCode;
  /** One short line naming the cause, sent as the body. */
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * How long a connection that was answered and closed goes on reading what the
 * client still sends. Closing a socket with unread bytes makes the kernel send
 * a reset, and a reset can destroy the answer before the client reads it (a
 * 431 to a client still sending a 1 MB header); the client normally closes
 * first, once it has the answer.
 */
export const LINGER_MS = 2_000;

/**
 * Seconds a client over a connection cap is told to wait (Retry-After,
 * RFC 9110 §10.2.3): connections come and go in about that time.
 */
export const RETRY_AFTER_S = 1;

export function badRequest(text: string): ClientAnswer {
  return { status: 400, code: 'JARSYNC_ERR_BAD_CLIENT_REQUEST', text: `jarsync: ${text}` };
}

export function headersTooLarge(limit: number): ClientAnswer {
  return { status: 431, code: 'JARSYNC_ERR_HEADERS_TOO_LARGE', text: `jarsync: the request line and header fields are over ${limit} bytes` };
}

export function requestTimeout(what: string): ClientAnswer {
  return { status: 408, code: 'JARSYNC_ERR_CLIENT_TIMEOUT', text: `jarsync: ${what}` };
}

export function tooManyConnections(cap: 'total' | 'client'): ClientAnswer {
  return {
    status: 503,
    code: 'JARSYNC_ERR_TOO_MANY_CONNECTIONS',
    text: cap === 'total' ? 'jarsync: the proxy holds as many connections as it allows; try again shortly' : 'jarsync: this client holds as many connections as it may; close some first',
    headers: { 'retry-after': String(RETRY_AFTER_S) },
  };
}

/**
 * Seconds a request held for the jar is told to wait before trying again: the
 * backlog it waited on is bounded (100,000 events by default), and the jar
 * gets through that in a second or two, so a few seconds is enough for it to
 * have caught up.
 */
export const BUSY_RETRY_AFTER_S = 5;

export function busy(waitedMs: number): ClientAnswer {
  return {
    status: 503,
    code: 'JARSYNC_ERR_BUSY',
    text: `jarsync: the cookie jar is behind; this request to a synced origin waited ${waitedMs} ms for it and was not sent`,
    headers: { 'retry-after': String(BUSY_RETRY_AFTER_S) },
  };
}

export function proxyAuthRequired(offered: boolean): ClientAnswer {
  return {
    status: 407,
    code: 'JARSYNC_ERR_PROXY_AUTH',
    text: offered ? 'jarsync: wrong proxy credentials' : 'jarsync: proxy credentials needed (Proxy-Authorization: Basic)',
    headers: { 'proxy-authenticate': PROXY_AUTHENTICATE },
  };
}

function headerLines(answer: ClientAnswer, body: string, close: boolean): [string, string][] {
  return [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(Buffer.byteLength(body))],
    ['X-Jarsync-Error', answer.code],
    ...Object.entries(answer.headers ?? {}),
    ...(close ? ([['Connection', 'close']] as [string, string][]) : []),
  ];
}

/** The whole HTTP/1.1 message of an answer that closes the connection. */
export function rawAnswer(answer: ClientAnswer): string {
  const body = `${answer.text}\n`;
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\n`;
  for (const [name, value] of headerLines(answer, body, true)) head += `${name}: ${value}\r\n`;
  return `${head}\r\n${body}`;
}

const answered = new WeakSet<Duplex>();

/**
 * Writes an answer as raw bytes where no response object exists, ends the
 * connection, and reads (and drops) what the client still sends for up to
 * LINGER_MS so the close does not reset the answer away. A socket is answered
 * once, however many reasons to refuse it come up.
 */
export function answerAndClose(socket: Duplex, answer: ClientAnswer): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.on('error', () => socket.destroy());
  socket.end(rawAnswer(answer));
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => {
    clearTimeout(timer);
  });
  socket.once('end', () => socket.destroy());
  socket.on('data', () => undefined);
  socket.resume();
}
