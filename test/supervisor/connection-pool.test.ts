/**
 * The connection pool with real worker threads: a worker whose thread dies
 * loses its own connections, nobody else's, and is replaced on the same port.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectionPool } from '../../src/supervisor/connection-pool.ts';
import type { ProxySettings } from '../../src/workers/protocol.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { poolSettings } from '../helpers/pool-settings.ts';

const settings: ProxySettings = poolSettings();

let origin: Origin;
let pool: ConnectionPool;
let port: number;
const logs: string[] = [];

beforeAll(async () => {
  origin = await startOrigin((req, res) => res.end(`ok ${req.url ?? ''}`));
  pool = new ConnectionPool({
    workers: 2,
    settings,
    certs: { leafFor: () => Promise.reject(new Error('no certificates in this test')) },
    onEvents: () => undefined,
    domains: () => [],
    syncing: () => true,
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  await pool.start();
  port = await pool.listen('127.0.0.1', 0);
});

afterAll(async () => {
  await pool.drain(1_000);
  await origin.close();
});

/** One keep-alive request written by hand on an open socket; resolves with the body, rejects if the socket is gone. */
function ask(socket: net.Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      reject(new Error('closed'));
      return;
    }
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && length !== null && text.length >= head + 4 + Number(length[1])) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(text.slice(head + 4));
      }
    };
    const onClose = (): void => {
      socket.off('data', onData);
      reject(new Error('closed'));
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(`GET http://127.0.0.1:${origin.port}${path} HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n\r\n`);
  });
}

/** Client sockets that have seen 'close'. */
const closed = new Set<net.Socket>();

async function openSockets(count: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.once('close', () => closed.add(socket));
      await new Promise((resolve) => socket.once('connect', resolve));
      expect(await ask(socket, `/open-${i}`)).toBe(`ok /open-${i}`);
      return socket;
    }),
  );
}

describe('ConnectionPool', () => {
  it('replaces a worker whose thread dies; only that worker’s connections are lost', async () => {
    let sockets: net.Socket[] = [];
    let before = await pool.stats();
    // The kernel spreads connections over the two listeners; open until both hold some.
    for (let round = 0; round < 10 && !before.every((w) => w.connectionsOpen > 0); round++) {
      sockets = sockets.concat(await openSockets(10));
      before = await pool.stats();
    }
    const onDying = before[0]?.connectionsOpen ?? 0;
    const onOther = before[1]?.connectionsOpen ?? 0;
    expect(onDying).toBeGreaterThan(0);
    expect(onOther).toBeGreaterThan(0);

    await pool.terminate(0);
    await vi.waitFor(() => {
      expect(sockets.filter((socket) => closed.has(socket))).toHaveLength(onDying);
    }, { timeout: 5_000 });

    const survivors = sockets.filter((socket) => !closed.has(socket));
    expect(survivors).toHaveLength(onOther);
    const answers = await Promise.all(survivors.map((socket, i) => ask(socket, `/after-${i}`)));
    expect(answers).toEqual(survivors.map((_, i) => `ok /after-${i}`));

    await vi.waitFor(async () => {
      const now = await pool.stats();
      expect(now[0]).toMatchObject({ alive: true, listening: true, restarts: 1 });
      expect(now[0]?.threadId).not.toBe(before[0]?.threadId);
    }, { timeout: 10_000 });
    expect(logs.some((line) => line.startsWith('error: connection worker 0 died'))).toBe(true);

    // The replacement is back on the port: new connections reach it too.
    for (let round = 0; round < 10 && ((await pool.stats())[0]?.connectionsTotal ?? 0) === 0; round++) {
      for (const socket of await openSockets(5)) socket.destroy();
    }
    expect((await pool.stats())[0]?.connectionsTotal).toBeGreaterThan(0);
    for (const socket of survivors) socket.destroy();
  });
});
