/**
 * Real origin servers for tests: plain HTTP or HTTPS (with the origin test PKI
 * of test/fixtures/origin), on 127.0.0.1 and a free port, closed by PID-free
 * means: `close()` destroys every connection they hold.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { originCertPem, originKeyPem } from './origin-tls.ts';

export interface Origin {
  readonly server: http.Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function startOrigin(
  handler: http.RequestListener,
  options: { readonly tls?: boolean; readonly host?: string } = {},
): Promise<Origin> {
  const server = options.tls === true ? https.createServer({ cert: originCertPem, key: originKeyPem }, handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
