/**
 * No request through the proxy reaches the proxy itself (508) or the admin
 * API (403) on this machine, whatever the spelling of the address: checked on
 * the resolver's answer, so names and --resolve rules are caught too, for
 * plain requests, upgrades and CONNECT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { proxyRequest } from '../helpers/proxy-client.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

let origin: Origin;
let proxy: RunningSupervisor;

beforeAll(async () => {
  origin = await startOrigin((req, res) => res.end(`ok ${req.url ?? ''}`));
  proxy = await startSupervisor({ adminPort: 0, domains: ['sync.test'], workers: 2 });
});

afterAll(async () => {
  await proxy.stop();
  await origin.close();
});

const proxyPort = (): number => proxy.addresses.proxy.port;
const adminPort = (): number => proxy.addresses.admin?.port ?? -1;
const HOSTS = ['127.0.0.1', 'localhost', '127.1', '127.0.0.2', '[::1]', '0.0.0.0', 'loop.test', 'sync.test'];

describe('a request aimed at the proxy itself', () => {
  it.each(HOSTS)('via %s gets 508 Loop Detected', async (host) => {
    const response = await proxyRequest(proxyPort(), `http://${host}:${proxyPort()}/x`, { headers: { host: `${host}:${proxyPort()}` } });
    expect(response.status).toBe(508);
    expect(response.headers['x-jarsync-error']).toBe('JARSYNC_ERR_LOOP');
    expect(response.body.toString()).toMatch(/loop/);
  });

  it.each(['127.0.0.1', 'localhost', 'sync.test'])('as a CONNECT to %s gets 508', async (host) => {
    const response = await rawRequest(proxyPort(), `CONNECT ${host}:${proxyPort()} HTTP/1.1\r\nHost: ${host}:${proxyPort()}\r\n\r\n`);
    expect(response.status).toBe(508);
    expect(response.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_LOOP']);
  });

  it('as an upgrade gets 508', async () => {
    const response = await rawRequest(
      proxyPort(),
      `GET http://localhost:${proxyPort()}/ws HTTP/1.1\r\nHost: localhost:${proxyPort()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    expect(response.status).toBe(508);
  });
});

describe('a request aimed at the admin API', () => {
  it.each(HOSTS)('via %s gets 403', async (host) => {
    const response = await proxyRequest(proxyPort(), `http://${host}:${adminPort()}/api/status`, { headers: { host: `${host}:${adminPort()}` } });
    expect(response.status).toBe(403);
    expect(response.headers['x-jarsync-error']).toBe('JARSYNC_ERR_FORBIDDEN');
  });

  it.each(['127.0.0.1', '[::1]', 'loop.test', 'sync.test'])('as a CONNECT to %s gets 403', async (host) => {
    const response = await rawRequest(proxyPort(), `CONNECT ${host}:${adminPort()} HTTP/1.1\r\nHost: ${host}:${adminPort()}\r\n\r\n`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_FORBIDDEN']);
  });
});

describe('any other port of this machine', () => {
  it('is still served', async () => {
    const response = await proxyRequest(proxyPort(), `http://localhost:${origin.port}/fine`);
    expect(response.body.toString()).toBe('ok /fine');
    const refused = (await proxy.supervisor.status()).workers.reduce((sum, worker) => sum + worker.targetsRefused, 0);
    expect(refused).toBeGreaterThan(0);
  });
});
