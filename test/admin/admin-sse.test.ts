/**
 * GET /api/events on a real supervisor: changes made by real traffic through
 * the proxy and by the API arrive as events; and the admin server's own
 * lifecycle (listen, close with streams open).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookieChange, CookieRefusal } from '../../src/actors/cookie-change.ts';
import { ADMIN_CLOSE_TIMEOUT_MS, createAdminServer } from '../../src/supervisor/admin-server.ts';
import { getThroughProxy, startAdminHarness, startCookieOrigin, type AdminHarness, type CookieOrigin } from './admin-harness.ts';
import { openSse, type SseClient } from './sse-client.ts';

let harness: AdminHarness;
let origin: CookieOrigin;

beforeAll(async () => {
  [harness, origin] = await Promise.all([startAdminHarness(), startCookieOrigin()]);
});
afterAll(async () => {
  await harness.close();
  await origin.close();
});

/** The server parses the CA (for /ca.der, /ca.p12 and the devices' fingerprint): it needs a real one. */
function caCertPem(): string {
  return readFileSync(harness.addresses.caCertPath, 'utf8');
}

function subscribe(): Promise<SseClient> {
  return openSse(`${harness.base}/api/events`, { authorization: `Bearer ${harness.token}` });
}

describe('GET /api/events', () => {
  it('refuses a client without the token', async () => {
    const response = await fetch(`${harness.base}/api/events`);
    expect(response.status).toBe(401);
  });

  it('streams the changes that traffic through the proxy makes, and those the API makes', async () => {
    const client = await subscribe();
    expect(client.response.statusCode).toBe(200);
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    harness.supervisor.addDomain('origin.test');
    expect(await getThroughProxy(harness.addresses.proxy.port, `http://app.origin.test:${origin.port}/set?sid=abc`)).toBe(200);

    const added = JSON.parse((await client.waitFor((event) => event.event === 'cookie')).data) as CookieChange;
    expect(added).toMatchObject({ type: 'added', source: 'response', cookie: { key: 'sid', value: 'abc', domain: 'app.origin.test' } });
    expect(added.url).toBe(`http://app.origin.test:${origin.port}/set?sid=abc`);

    const from = client.events.length;
    const response = await harness.api('/api/cookies?domain=origin.test', { method: 'DELETE' });
    expect(await response.json()).toEqual({ deleted: 1 });
    const deleted = JSON.parse((await client.waitFor((event) => event.event === 'cookie', { from })).data) as CookieChange;
    expect(deleted).toMatchObject({ type: 'deleted', source: 'api', cookie: { key: 'sid' } });
    client.close();
  });

  it('streams what the jar refuses as `event: refused`', async () => {
    const client = await subscribe();
    harness.supervisor.addDomain('origin.test');
    expect(await getThroughProxy(harness.addresses.proxy.port, `http://app.origin.test:${origin.port}/refuse`)).toBe(200);
    const refused = JSON.parse((await client.waitFor((event) => event.event === 'refused')).data) as CookieRefusal;
    expect(refused).toMatchObject({ reason: 'domain-mismatch', header: 'foreign=***; Domain=example.com; Path=/' });
    client.close();
  });

  it('gives every subscriber every change', async () => {
    const [one, two] = await Promise.all([subscribe(), subscribe()]);
    harness.supervisor.addDomain('origin.test');
    expect(await getThroughProxy(harness.addresses.proxy.port, `http://www.origin.test:${origin.port}/set?lang=en`)).toBe(200);
    for (const client of [one, two]) {
      const event = JSON.parse((await client.waitFor((e) => e.event === 'cookie')).data) as CookieChange;
      expect(event.cookie).toMatchObject({ key: 'lang', value: 'en' });
      client.close();
    }
  });
});

describe('createAdminServer: listen and close', () => {
  it('close() ends open event streams and idle connections at once', async () => {
    const server = createAdminServer({ supervisor: harness.supervisor, token: harness.token, caCertPem: caCertPem(), port: 0 });
    const { port } = await server.listen();
    expect(await server.listen()).toEqual({ host: '127.0.0.1', port });
    const client = await openSse(`http://127.0.0.1:${port}/api/events`, { authorization: `Bearer ${harness.token}` });
    // An idle keep-alive connection as well.
    expect((await fetch(`http://127.0.0.1:${port}/ca.pem`)).status).toBe(200);
    const started = performance.now();
    await server.close();
    await client.ended;
    expect(performance.now() - started).toBeLessThan(ADMIN_CLOSE_TIMEOUT_MS / 2);
    await expect(fetch(`http://127.0.0.1:${port}/ca.pem`)).rejects.toThrow();
  });

  it('listen() rejects with JARSYNC_ERR_PORT_IN_USE when the port is taken', async () => {
    const taken = harness.addresses.admin?.port ?? 0;
    const server = createAdminServer({ supervisor: harness.supervisor, token: harness.token, caCertPem: caCertPem(), port: taken });
    await expect(server.listen()).rejects.toMatchObject({ code: 'JARSYNC_ERR_PORT_IN_USE' });
    await server.close();
  });

  it.each([-1, 65_536, 1.5])('refuses the port %s with JARSYNC_ERR_BAD_OPTION', (port) => {
    expect(() => createAdminServer({ supervisor: harness.supervisor, token: harness.token, caCertPem: 'PEM', port })).toThrow(
      expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }),
    );
  });
});
