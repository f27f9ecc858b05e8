/**
 * A plain and a TLS node:http server on loopback serving one handler: the
 * origin of the scripts that need to see each response they cause (the soak's
 * ledger, the held connections), where nginx serves the scenarios of run.ts.
 * `close()` ends the connections still open, so nothing keeps the process up.
 */
import type http from 'node:http';
import type https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface NodeOrigin {
  readonly httpPort: number;
  readonly httpsPort: number;
  close(): Promise<void>;
}

export async function listenNodeOrigin(plain: http.Server, secure: https.Server): Promise<NodeOrigin> {
  const sockets = new Set<Socket>();
  for (const server of [plain, secure]) {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  return {
    httpPort: (plain.address() as AddressInfo).port,
    httpsPort: (secure.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([plain, secure].map((server) => new Promise<void>((resolve) => server.close(() => { resolve(); }))));
    },
  };
}
