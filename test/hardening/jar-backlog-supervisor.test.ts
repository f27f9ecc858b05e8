/**
 * The backlog as the supervisor wires it: with a one-event mailbox, a
 * response of fifty Set-Cookie lines overflows into the backlog at once, the
 * jar takes the rest as it makes room, the hold is raised and lifted on the
 * way, and /api/status's counts say so. Nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { proxyRequest } from '../helpers/proxy-client.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

const LINES = 50;

let origin: Origin;
let running: RunningSupervisor;

beforeAll(async () => {
  origin = await startOrigin((_req, res) => {
    res.setHeader('set-cookie', Array.from({ length: LINES }, (_, index) => `n${index}=${index}; Path=/; Max-Age=3600`));
    res.end('ok');
  });
  running = await startSupervisor({ domains: ['burst.test'], mailboxCapacity: 1, backlogCapacity: 1_000, holdHighWater: 10, holdLowWater: 2 });
});

afterAll(async () => {
  await running.stop();
  await origin.close();
});

describe('the supervisor’s jar backlog', () => {
  it('takes a burst larger than the mailbox without losing an event, and counts it', async () => {
    expect((await proxyRequest(running.addresses.proxy.port, `http://burst.test:${origin.port}/`)).status).toBe(200);
    await vi.waitFor(async () => {
      expect((await running.supervisor.status()).jar.events).toBe(LINES);
    });
    const status = await running.supervisor.status();
    expect(status.events).toMatchObject({ received: LINES, synced: LINES, size: 0, lost: 0, hold: { engaged: false, times: 1, highWater: 10, lowWater: 2 } });
    expect(status.events.held).toBeGreaterThanOrEqual(LINES - 1);
    expect(status.jar.mailbox.refused).toBe(0);
    expect(await running.supervisor.cookies({ domain: 'burst.test' })).toHaveLength(LINES);
    expect(status.workers[0]).toMatchObject({ requestsHeld: 0, requestsBusy: 0 });
  });
});
