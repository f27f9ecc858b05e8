/**
 * A connection worker killed under load: plain and decrypted HTTPS clients
 * keep sending through a two-worker supervisor while one worker's thread is
 * ended. Only connections the dead worker held fail (each once, at the
 * connection, never with an answer), every other connection goes on being
 * served, nothing hangs, and the replacement thread takes new connections.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KeepAliveClient } from '../helpers/keep-alive-client.ts';
import { openKeepAlive } from '../helpers/keep-alive-client.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

const CLIENTS_EACH = 6;
const REQUEST_TIMEOUT_MS = 5_000;

let plain: Origin;
let secure: Origin;
let running: RunningSupervisor;
let ca: string;

beforeAll(async () => {
  const handler = (_req: unknown, res: import('node:http').ServerResponse): void => {
    res.setHeader('set-cookie', 'seen=1; Path=/; Max-Age=60');
    res.end('ok');
  };
  [plain, secure] = await Promise.all([startOrigin(handler), startOrigin(handler, { tls: true })]);
  running = await startSupervisor({ workers: 2, domains: ['origin.test'] });
  ca = await readFile(running.addresses.caCertPath, 'utf8');
});

afterAll(async () => {
  await running.stop();
  await Promise.all([plain.close(), secure.close()]);
});

interface Connection {
  readonly id: number;
  readonly openedAt: number;
  served: number;
  servedAfterKill: number;
  failure: string | null;
}

describe('a connection worker killed under load', () => {
  it('loses only its own connections; the others and the replacement serve, nothing hangs', async () => {
    const port = running.addresses.proxy.port;
    const connections: Connection[] = [];
    const answers: number[] = [];
    let killedAt = Number.POSITIVE_INFINITY;
    let stop = false;

    const client = async (scheme: 'http' | 'https', index: number): Promise<void> => {
      let current: { client: KeepAliveClient; record: Connection } | null = null;
      for (let sent = 0; !stop; sent += 1) {
        if (current === null) {
          const record: Connection = { id: connections.length, openedAt: performance.now(), served: 0, servedAfterKill: 0, failure: null };
          connections.push(record);
          const origin = scheme === 'https' ? { scheme, host: `w${index}.origin.test`, port: secure.port, ca } : { scheme, host: `w${index}.origin.test`, port: plain.port };
          try {
            current = { client: await openKeepAlive(port, origin), record };
          } catch (error) {
            record.failure = `open: ${(error as Error).message}`;
            continue;
          }
        }
        try {
          answers.push(await current.client.get(`/${scheme}-${index}-${sent}`, REQUEST_TIMEOUT_MS));
          current.record.served += 1;
          if (performance.now() > killedAt) current.record.servedAfterKill += 1;
        } catch (error) {
          current.record.failure = (error as Error).message;
          current.client.destroy();
          current = null;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      current?.client.destroy();
    };

    const load = Promise.all([
      ...Array.from({ length: CLIENTS_EACH }, (_, index) => client('http', index)),
      ...Array.from({ length: CLIENTS_EACH }, (_, index) => client('https', index)),
    ]);
    // Both workers hold some of the connections before one of them dies.
    let before = (await running.supervisor.status()).workers;
    await vi.waitFor(
      async () => {
        before = (await running.supervisor.status()).workers;
        expect(before.every((worker) => worker.connectionsOpen > 0)).toBe(true);
        expect(connections.filter((connection) => connection.served > 0)).toHaveLength(2 * CLIENTS_EACH);
      },
      { timeout: 10_000 },
    );
    const victim = (before[0]?.connectionsOpen ?? 0) >= (before[1]?.connectionsOpen ?? 0) ? 0 : 1;
    const onVictim = before[victim]?.connectionsOpen ?? 0;
    const openAtKill = connections.length;
    killedAt = performance.now();
    await running.supervisor.terminateWorker(victim);
    const terminatedAt = performance.now();

    await vi.waitFor(
      async () => {
        const after = (await running.supervisor.status()).workers[victim];
        expect(after).toMatchObject({ alive: true, listening: true, restarts: 1 });
      },
      { timeout: 10_000 },
    );
    // Load goes on for a while on the survivors and the replacement.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    await load;

    const failed = connections.filter((connection) => connection.failure !== null);
    const failedHeld = failed.filter((connection) => connection.id < openAtKill);
    expect(failedHeld.length).toBeGreaterThan(0);
    expect(failedHeld.length).toBeLessThanOrEqual(onVictim);
    for (const connection of failed) {
      if (connection.id < openAtKill) {
        // Each failure is the connection going away, on one the dead worker held.
        expect(connection.failure).toMatch(/^(closed|socket hang up|read ECONNRESET|write EPIPE|This socket has been ended by the other party)$/);
      } else {
        // Or a new connection the kernel handed to the dying worker's listener as it went.
        expect(connection.failure).toMatch(/^open: /);
        expect(connection.openedAt).toBeLessThan(terminatedAt);
      }
    }
    // Every other connection opened before the kill was served after it too.
    const survivors = connections.filter((connection) => connection.id < openAtKill && connection.failure === null);
    expect(survivors.length).toBe(openAtKill - failedHeld.length);
    for (const connection of survivors) expect(connection.servedAfterKill).toBeGreaterThan(0);
    // Every answer is a 200; a failed request got no answer at all.
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 200)).toBe(true);

    // The replacement takes new connections: open fresh ones until one of them lands on it.
    const replaced = async (): Promise<number> => (await running.supervisor.status()).workers[victim]?.requestsTotal ?? 0;
    for (let attempt = 0; attempt < 40 && (await replaced()) === 0; attempt += 1) {
      const fresh = await openKeepAlive(port, { scheme: 'http', host: 'fresh.origin.test', port: plain.port });
      expect(await fresh.get(`/fresh-${attempt}`, REQUEST_TIMEOUT_MS)).toBe(200);
      fresh.destroy();
    }
    expect(await replaced()).toBeGreaterThan(0);
  });
});
