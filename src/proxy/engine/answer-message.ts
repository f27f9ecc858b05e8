/**
 * The bytes of a response the proxy makes itself (an error answer, the CA
 * page), written straight on the client's connection: status line, fields,
 * the connection's fate and the body, in one Buffer.
 *
 *   HTTP/1.1 502 Bad Gateway            (RFC 9110 §2.5: this proxy's own version)
 *   Content-Type / Content-Length / X-Jarsync-Error / what the status needs
 *   Connection: keep-alive | close      (keep-alive said aloud: an HTTP/1.0 client needs it)
 *
 * A HEAD request gets the head alone (RFC 9110 §9.3.2), Content-Length included.
 */
import { STATUS_CODES } from 'node:http';
import type { ClientAnswer } from '../client-answer.ts';
import type { StaticResponse } from '../cert-page.ts';

export interface MessageOptions {
  /** Whether the connection closes after this message. */
  readonly close: boolean;
  /** The request was HEAD: no body goes out. */
  readonly head: boolean;
}

function message(status: number, fields: string, body: Buffer, options: MessageOptions): Buffer {
  const head = Buffer.from(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${fields}Connection: ${options.close ? 'close' : 'keep-alive'}\r\n\r\n`,
    'latin1',
  );
  return options.head || body.length === 0 ? head : Buffer.concat([head, body]);
}

/** An answer of the proxy's own: a one-line text body and its error code in `X-Jarsync-Error`. */
export function answerMessage(answer: ClientAnswer, options: MessageOptions): Buffer {
  const body = Buffer.from(`${answer.text}\n`);
  let fields = `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nX-Jarsync-Error: ${answer.code}\r\n`;
  for (const [name, value] of Object.entries(answer.headers ?? {})) fields += `${name}: ${value}\r\n`;
  return message(answer.status, fields, body, options);
}

/** A static page or file (the CA page): its own fields, Content-Length among them. */
export function staticMessage(response: StaticResponse, options: MessageOptions): Buffer {
  let fields = '';
  for (const [name, value] of Object.entries(response.headers)) fields += `${name}: ${value}\r\n`;
  return message(response.status, fields, response.body, options);
}
