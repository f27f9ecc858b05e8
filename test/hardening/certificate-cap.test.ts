/**
 * The certificate cache cap (`maxCertificates`, `--max-certificates`) reaches
 * the supervisor's cert service: with room for two hosts, a third new host
 * pushes the least recently used one out.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { proxyHttpsRequest } from '../helpers/proxy-client.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

let origin: Origin;
let running: RunningSupervisor;

beforeAll(async () => {
  origin = await startOrigin((_req, res) => res.end('ok'), { tls: true });
  running = await startSupervisor({ domains: ['origin.test'], maxCertificates: 2 });
});

afterAll(async () => {
  await running.stop();
  await origin.close();
});

describe('the certificate cache cap', () => {
  it('keeps at most maxCertificates hosts', async () => {
    const ca = await readFile(running.addresses.caCertPath, 'utf8');
    for (const host of ['a', 'b', 'c']) {
      const answer = await proxyHttpsRequest(running.addresses.proxy.port, `https://${host}.origin.test:${origin.port}/`, { ca });
      expect(answer.status).toBe(200);
    }
    expect((await running.supervisor.status()).certificates).toMatchObject({ size: 2, mints: 3 });
  });
});
