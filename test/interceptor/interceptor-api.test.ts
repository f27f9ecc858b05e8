/**
 * The interceptor routes of the admin API: pairing by code, the scoped token
 * and what it may do, cookies in through the domain filter, the extension's
 * connection on /api/status.
 */
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminHarness, type AdminHarness } from '../admin/admin-harness.ts';
import type { SupervisorStatus } from '../../src/supervisor/supervisor-api.ts';

const EXTENSION_ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

let harness: AdminHarness;
let scoped: string;

function call(path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${harness.base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const cookie = (domain: string, name: string, value: string, extra: Record<string, unknown> = {}) => ({
  kind: 'set',
  cookie: { domain, hostOnly: !domain.startsWith('.'), path: '/', name, value, httpOnly: false, secure: false, session: true, ...extra },
});

beforeAll(async () => {
  harness = await startAdminHarness({ domains: ['example.com'], persist: false });
});

afterAll(async () => {
  await harness.close();
});

describe('pairing', () => {
  it('prints a code of the form XXXX-XXXX and refuses a wrong one', async () => {
    expect(harness.addresses.pairingCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const wrong = await call('/api/interceptor/pair', null, { code: 'AAAA-AAAA' }, { origin: EXTENSION_ORIGIN });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'JARSYNC_ERR_UNAUTHORIZED' });
  });

  it('trades the code (any case, with or without the dash) for a scoped token, kept only as a digest', async () => {
    const answer = await call('/api/interceptor/pair', null, { code: harness.addresses.pairingCode.toLowerCase().replace('-', ''), browser: 'Test/1' }, { origin: EXTENSION_ORIGIN });
    expect(answer.status).toBe(201);
    const body = (await answer.json()) as { token: string; domains: string[]; syncing: boolean };
    expect(body).toMatchObject({ domains: ['example.com'], syncing: true });
    scoped = body.token;
    expect(scoped).toMatch(/^jsi_/);
    const file = join(harness.dataDir, 'interceptor-tokens');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(scoped);
  });
});

describe('the scoped token', () => {
  it('reads the domain list and sends heartbeats', async () => {
    expect(await (await call('/api/interceptor/domains', scoped)).json()).toEqual({ domains: ['example.com'], syncing: true });
    const beat = await call('/api/interceptor/heartbeat', scoped, { browser: 'Test/2' }, { origin: EXTENSION_ORIGIN });
    expect(beat.status).toBe(200);
  });

  it('is refused everywhere else, and an extension origin too', async () => {
    for (const path of ['/api/status', '/api/cookies', '/api/domains']) {
      expect((await call(path, scoped)).status).toBe(401);
    }
    expect((await call('/api/status', harness.token, undefined, { origin: EXTENSION_ORIGIN })).status).toBe(403);
    // A web page's origin is refused on the interceptor routes as anywhere.
    expect((await call('/api/interceptor/domains', scoped, undefined, { origin: 'https://evil.example' })).status).toBe(403);
    // The route as the server resolves it: dot segments do not make another route an interceptor one.
    const sneaky = await new Promise<number>((resolve, reject) => {
      const url = new URL(harness.base);
      http
        .get({ host: url.hostname, port: url.port, path: '/api/interceptor/../status', headers: { authorization: `Bearer ${harness.token}`, origin: EXTENSION_ORIGIN } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(sneaky).toBe(403);
    expect((await call('/api/interceptor/domains', 'jsi_not-a-token')).status).toBe(401);
    expect((await call('/api/interceptor/domains', null)).status).toBe(401);
  });

  it('writes the synced domains cookies with source interceptor, and drops the others', async () => {
    const changes: unknown[] = [];
    const subscription = harness.supervisor.cookies$.subscribe((change) => changes.push(change));
    const answer = await call(
      '/api/interceptor/cookies',
      scoped,
      { full: true, changes: [cookie('.example.com', 'a', '1'), cookie('www.example.com', 'b', '2', { httpOnly: true }), cookie('example.org', 'c', '3')] },
      { origin: EXTENSION_ORIGIN, 'sec-fetch-site': 'none' },
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ received: 3, ignored: 1, applied: 2, unchanged: 0, refused: 0 });
    subscription.unsubscribe();
    expect(changes).toMatchObject([
      { type: 'added', source: 'interceptor', cookie: { key: 'a', domain: 'example.com' } },
      { type: 'added', source: 'interceptor', cookie: { key: 'b', domain: 'www.example.com', hostOnly: true, httpOnly: true } },
    ]);
    const removal = await call('/api/interceptor/cookies', scoped, { changes: [{ kind: 'remove', cookie: { domain: '.example.com', path: '/', name: 'a' } }] });
    expect(await removal.json()).toMatchObject({ applied: 1 });
    const jar = await harness.supervisor.cookies();
    expect(jar.map((held) => `${held.domain} ${held.key}=${held.value}`)).toEqual(['www.example.com b=2']);
  });

  it('answers a malformed batch with 400', async () => {
    const bad = await call('/api/interceptor/cookies', scoped, { changes: [{ kind: 'set', cookie: { domain: 'example.com', path: '/', name: 'x' } }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'JARSYNC_ERR_BAD_REQUEST' });
    expect((await call('/api/interceptor/cookies', scoped, { changes: [], extra: 1 })).status).toBe(400);
  });

  it('records nothing while syncing is stopped', async () => {
    harness.supervisor.stopSyncing();
    const answer = await call('/api/interceptor/cookies', scoped, { changes: [cookie('example.com', 'stopped', '1')] });
    expect(await answer.json()).toMatchObject({ received: 1, ignored: 1, applied: 0 });
    harness.supervisor.startSyncing();
  });
});

describe('/api/status', () => {
  it('shows the extension connected, then disconnected with the reason once it stops', async () => {
    const status = async () => ((await (await harness.api('/api/status')).json()) as SupervisorStatus).interceptor;
    expect(await status()).toMatchObject({ extension: { state: 'connected', reason: null, browser: 'Test/2', tokens: 1, received: 5, ignored: 2 }, cdp: null });
    expect((await status()).extension.lastSyncAt).toEqual(expect.any(Number));
    expect((await call('/api/interceptor/disconnect', scoped, {})).status).toBe(204);
    expect(await status()).toMatchObject({ extension: { state: 'disconnected', reason: 'syncing was stopped in the extension' } });
    await call('/api/interceptor/heartbeat', scoped, {});
    expect(await status()).toMatchObject({ extension: { state: 'connected' } });
  });
});
