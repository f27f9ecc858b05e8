/**
 * One client connection through the proxy that sends requests one at a time
 * and reads each response by its Content-Length: plain HTTP (absolute-form
 * requests) or HTTPS (CONNECT, then TLS with the proxy's CA). For load tests
 * that must know which connection a request went on.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { tlsThroughProxy } from './proxy-client.ts';

export interface KeepAliveClient {
  /** Sends one GET and resolves with the status; rejects when the connection fails or closes first, or after `timeoutMs`. */
  get(path: string, timeoutMs: number): Promise<number>;
  readonly closed: boolean;
  destroy(): void;
}

export async function openKeepAlive(proxyPort: number, origin: { readonly scheme: 'http' | 'https'; readonly host: string; readonly port: number; readonly ca?: string }): Promise<KeepAliveClient> {
  const authority = `${origin.host}:${origin.port}`;
  let socket: Duplex;
  if (origin.scheme === 'https') {
    socket = await tlsThroughProxy(proxyPort, origin.host, origin.port, origin.ca === undefined ? {} : { ca: origin.ca });
  } else {
    const plain = net.connect(proxyPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      plain.once('connect', resolve);
      plain.once('error', reject);
    });
    socket = plain;
  }
  const prefix = origin.scheme === 'http' ? `http://${authority}` : '';
  const state = { closed: false, text: '', waiting: null as null | { resolve: (status: number) => void; reject: (error: Error) => void } };
  const fail = (error: Error): void => {
    const waiting = state.waiting;
    state.waiting = null;
    waiting?.reject(error);
  };
  socket.on('error', (error: Error) => {
    fail(error);
  });
  socket.once('close', () => {
    state.closed = true;
    fail(new Error('closed'));
  });
  socket.on('data', (chunk: Buffer) => {
    state.text += chunk.toString('latin1');
    const head = state.text.indexOf('\r\n\r\n');
    const length = /\r\ncontent-length: *(\d+)/i.exec(state.text.slice(0, head));
    if (head < 0 || length === null || state.text.length < head + 4 + Number(length[1])) return;
    const status = Number(state.text.slice(9, 12));
    state.text = state.text.slice(head + 4 + Number(length[1]));
    const waiting = state.waiting;
    state.waiting = null;
    waiting?.resolve(status);
  });
  return {
    get closed() {
      return state.closed;
    },
    get: (path, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        if (state.closed) {
          reject(new Error('closed'));
          return;
        }
        const timer = setTimeout(() => {
          fail(new Error('timed out'));
        }, timeoutMs);
        state.waiting = {
          resolve: (status) => {
            clearTimeout(timer);
            resolve(status);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        socket.write(`GET ${prefix}${path} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
      }),
    destroy: () => {
      socket.destroy();
    },
  };
}
