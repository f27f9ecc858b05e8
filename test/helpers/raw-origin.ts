/**
 * An origin that answers with bytes exactly as written, chosen by the request
 * path: for responses Node's own server refuses to send (bad header bytes,
 * thousands of Set-Cookie lines). One request per connection; it closes after.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawOrigin {
  readonly port: number;
  close(): Promise<void>;
}

export async function startRawOrigin(responses: ReadonlyMap<string, string | Buffer>): Promise<RawOrigin> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const path = head.split(' ')[1] ?? '';
      socket.end(responses.get(path) ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
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
