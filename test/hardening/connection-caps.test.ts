/**
 * The connection caps: the total holds across every worker (a count shared
 * by the supervisor with the workers), the per-client cap within a worker;
 * a connection over either gets 503 with Retry-After, and a place freed by a
 * close is taken again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { proxyRequest } from '../helpers/proxy-client.ts';
import type { RawConnection } from '../helpers/raw-http.ts';
import { openRaw, rawRequest } from '../helpers/raw-http.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

const TOTAL = 4;
const PER_CLIENT = 2;

let origin: Origin;
let total: RunningSupervisor;
let perClient: RunningSupervisor;

beforeAll(async () => {
  origin = await startOrigin((req, res) => res.end(`ok ${req.url ?? ''}`));
  [total, perClient] = await Promise.all([
    startSupervisor({ workers: 2, maxConnections: TOTAL }),
    startSupervisor({ workers: 1, maxConnectionsPerClient: PER_CLIENT }),
  ]);
});

afterAll(async () => {
  await Promise.all([total.stop(), perClient.stop()]);
  await origin.close();
});

/** Opens `count` connections that each finish one request and stay open. */
async function hold(port: number, count: number): Promise<RawConnection[]> {
  const held: RawConnection[] = [];
  for (let index = 0; index < count; index += 1) {
    const connection = await openRaw(port);
    connection.socket.write(`GET http://held.test:${origin.port}/held HTTP/1.1\r\nHost: held.test\r\n\r\n`);
    await connection.waitFor('ok /held');
    held.push(connection);
  }
  return held;
}

async function release(held: readonly RawConnection[]): Promise<void> {
  await Promise.all(
    held.map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => {
            resolve();
          });
          connection.socket.destroy();
        }),
    ),
  );
}

async function workersOpen(supervisor: RunningSupervisor): Promise<number[]> {
  return (await supervisor.supervisor.status()).workers.map((worker) => worker.connectionsOpen);
}

/** Waits until the proxy has seen closes and holds at most `open` connections. */
async function settle(supervisor: RunningSupervisor, open: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await workersOpen(supervisor)).reduce((a, b) => a + b, 0) <= open) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the proxy still holds more than ${open} connections`);
}

describe('the total connection cap', () => {
  it('holds across every worker: each connection over it gets 503 with Retry-After, whichever worker takes it', async () => {
    const port = total.addresses.proxy.port;
    const held = await hold(port, TOTAL);
    try {
      expect((await workersOpen(total)).reduce((a, b) => a + b, 0)).toBe(TOTAL);
      // Enough tries that, were each worker counting alone, some would land on a worker with room.
      const answers = await Promise.all(Array.from({ length: 8 }, () => rawRequest(port, `GET http://more.test:${origin.port}/more HTTP/1.1\r\nHost: more.test\r\n\r\n`)));
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toEqual(['1']);
        expect(answer.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_TOO_MANY_CONNECTIONS']);
        expect(answer.body).toMatch(/^jarsync: .+\n$/);
      }
      const refused = (await total.supervisor.status()).workers.reduce((sum, worker) => sum + worker.connectionsRefused, 0);
      expect(refused).toBe(8);
    } finally {
      await release(held);
    }
    // The places are free again.
    await settle(total, 0);
    const after = await proxyRequest(port, `http://after.test:${origin.port}/after`);
    expect(after.body.toString()).toBe('ok /after');
  });

  it('refuses a CONNECT over the cap with 503 too', async () => {
    const port = total.addresses.proxy.port;
    const held = await hold(port, TOTAL);
    try {
      const answer = await rawRequest(port, `CONNECT tunnel.test:${origin.port} HTTP/1.1\r\nHost: tunnel.test:${origin.port}\r\n\r\n`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toEqual(['1']);
    } finally {
      await release(held);
    }
  });
});

describe('the per-client connection cap', () => {
  it('answers a client’s connection over its cap with 503, and frees the place when one closes', async () => {
    const port = perClient.addresses.proxy.port;
    const held = await hold(port, PER_CLIENT);
    try {
      const answer = await rawRequest(port, `GET http://third.test:${origin.port}/third HTTP/1.1\r\nHost: third.test\r\n\r\n`);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatch(/this client/);
      await release(held.splice(0, 1));
      await settle(perClient, PER_CLIENT - 1);
      const after = await proxyRequest(port, `http://after.test:${origin.port}/after`);
      expect(after.body.toString()).toBe('ok /after');
    } finally {
      await release(held);
    }
  });
});
