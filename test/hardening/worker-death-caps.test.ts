/**
 * The total connection cap survives a worker's death: the dead thread's
 * connections are gone and it cannot count them down, so the pool gives its
 * share of the shared count back; the cap's places are free again.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UNRESTRICTED } from '../../src/proxy/client-gate.ts';
import { ConnectionPool } from '../../src/supervisor/connection-pool.ts';
import type { ProxySettings } from '../../src/workers/protocol.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { poolSettings } from '../helpers/pool-settings.ts';

const MAX = 6;
const counts = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
const settings: ProxySettings = poolSettings({ clients: { ...UNRESTRICTED, maxConnections: MAX, connectionCounts: counts } });

let origin: Origin;
let pool: ConnectionPool;
let port: number;

beforeAll(async () => {
  origin = await startOrigin((req, res) => res.end(`ok ${req.url ?? ''}`));
  pool = new ConnectionPool({
    workers: 2,
    settings,
    certs: { leafFor: () => Promise.reject(new Error('no certificates in this test')) },
    onEvents: () => undefined,
    domains: () => [],
    syncing: () => true,
    log: () => undefined,
  });
  await pool.start();
  port = await pool.listen('127.0.0.1', 0);
});

afterAll(async () => {
  await pool.drain(1_000);
  await origin.close();
});

/** One request on a new connection, which stays open; the status line's code. */
function openOne(): Promise<{ socket: net.Socket; status: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve({ socket, status: Number(text.split(' ')[1]) });
    });
    socket.once('close', () => {
      if (!text.includes('\r\n\r\n')) reject(new Error('closed unanswered'));
    });
    socket.write(`GET http://127.0.0.1:${origin.port}/held HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

const total = (): number => new Int32Array(counts).reduce((sum, count) => sum + count, 0);

describe('a worker that dies', () => {
  it('gives its share of the total cap back', async () => {
    const held: net.Socket[] = [];
    for (let index = 0; index < MAX; index += 1) {
      const { socket, status } = await openOne();
      expect(status).toBe(200);
      held.push(socket);
    }
    expect(total()).toBe(MAX);
    // The worker holding more of them dies: at least half the cap.
    const [first = 0, second = 0] = new Int32Array(counts);
    const victim = first >= second ? 0 : 1;
    const onDying = Math.max(first, second);
    expect((await pool.stats())[victim]?.connectionsOpen).toBe(onDying);

    await pool.terminate(victim);
    await vi.waitFor(
      async () => {
        expect((await pool.stats())[victim]).toMatchObject({ alive: true, listening: true, restarts: 1 });
      },
      { timeout: 10_000 },
    );
    // Only the survivor's connections still count.
    expect(total()).toBe(MAX - onDying);
    for (const socket of held) socket.destroy();
    await vi.waitFor(() => {
      expect(total()).toBe(0);
    });
    // Every place is free again.
    const again = await Promise.all(Array.from({ length: MAX }, () => openOne()));
    expect(again.map(({ status }) => status)).toEqual(Array.from({ length: MAX }, () => 200));
    for (const { socket } of again) socket.destroy();
  });
});
