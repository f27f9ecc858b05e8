/**
 * The admin API's cookie routes beyond reading: adding one from a Set-Cookie
 * line, deleting one, exporting in every format (the same bytes as `jarsync
 * cookies --format`), and waiting for a cookie (the long poll, and the
 * library's Promise and Observable under it).
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookieChange, SerializedCookie } from '../../src/actors/cookie-change.ts';
import { runCli } from '../cli/cli-process.ts';
import { getThroughProxy, startAdminHarness, startCookieOrigin, type AdminHarness, type CookieOrigin } from './admin-harness.ts';

let harness: AdminHarness;
let origin: CookieOrigin;

beforeAll(async () => {
  [harness, origin] = await Promise.all([startAdminHarness({ domains: ['origin.test'] }), startCookieOrigin()]);
});
afterAll(async () => {
  await harness.close();
  await origin.close();
});

function post(path: string, body: unknown): Promise<Response> {
  return harness.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { code: string }).code;
}

describe('POST /api/cookies and DELETE /api/cookie', () => {
  it('adds a cookie from a Set-Cookie line as a response from the URL would, and deletes it', async () => {
    const added = await post('/api/cookies', { setCookie: 'manual=1; Path=/; HttpOnly', url: 'http://added.origin.test/' });
    expect(added.status).toBe(201);
    expect(((await added.json()) as { change: CookieChange }).change).toMatchObject({ type: 'added', source: 'api', cookie: { key: 'manual', value: '1', domain: 'added.origin.test', httpOnly: true } });
    // The same line again changes nothing.
    expect((await post('/api/cookies', { setCookie: 'manual=1; Path=/; HttpOnly', url: 'http://added.origin.test/' })).status).toBe(200);

    const query = new URLSearchParams({ domain: 'added.origin.test', path: '/', name: 'manual' });
    expect((await harness.api(`/api/cookie?${query.toString()}`, { method: 'DELETE' })).status).toBe(200);
    const again = await harness.api(`/api/cookie?${query.toString()}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('JARSYNC_ERR_NOT_FOUND');
  });

  it('refuses what a browser would refuse, with the reason, and a bad URL', async () => {
    const foreign = await post('/api/cookies', { setCookie: 'x=1; Domain=example.com', url: 'http://a.origin.test/' });
    expect(foreign.status).toBe(400);
    const body = (await foreign.json()) as { code: string; error: string };
    expect(body.code).toBe('JARSYNC_ERR_COOKIE_REFUSED');
    expect(body.error).toContain('domain-mismatch');
    expect(await errorCode(await post('/api/cookies', { setCookie: 'x=1', url: 'ftp://a.origin.test/' }))).toBe('JARSYNC_ERR_BAD_URL');
    expect(await errorCode(await post('/api/cookies', { setCookie: 'x=1' }))).toBe('JARSYNC_ERR_BAD_REQUEST');
  });
});

describe('GET /api/cookies/export', () => {
  const url = 'https://export.origin.test/account';

  beforeAll(async () => {
    for (const line of ['sid=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Strict', 'theme=dark; Domain=origin.test; Path=/; Max-Age=3600', 'other=1; Path=/other']) {
      expect((await post('/api/cookies', { setCookie: line, url })).status).toBe(201);
    }
  });

  async function exported(query: string): Promise<{ response: Response; text: string }> {
    const response = await harness.api(`/api/cookies/export?${query}`);
    return { response, text: await response.text() };
  }

  it('writes cookies.txt that curl reads', async () => {
    const { response, text } = await exported('format=netscape&domain=origin.test');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="cookies.txt"');
    expect(text).toMatch(/^# Netscape HTTP Cookie File/);
    const lines = text.split('\n').filter((line) => line !== '' && (!line.startsWith('#') || line.startsWith('#HttpOnly_')));
    expect(lines).toContainEqual(expect.stringMatching(/^#HttpOnly_export\.origin\.test\tFALSE\t\/\tTRUE\t0\tsid\ts3cr3t$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\.origin\.test\tTRUE\t\/\tFALSE\t\d+\ttheme\tdark$/));
  });

  it('writes JSON and Playwright storageState', async () => {
    const json = JSON.parse((await exported('format=json&domain=origin.test')).text) as SerializedCookie[];
    expect(json.map((cookie) => cookie.key).sort()).toEqual(['other', 'sid', 'theme']);

    const { response, text } = await exported('format=storage-state&domain=origin.test');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="storage-state.json"');
    const state = JSON.parse(text) as { cookies: Record<string, unknown>[]; origins: unknown[] };
    expect(state.origins).toEqual([]);
    expect(state.cookies).toContainEqual({ name: 'sid', value: 's3cr3t', domain: 'export.origin.test', path: '/', expires: -1, httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(state.cookies).toContainEqual(expect.objectContaining({ name: 'theme', domain: '.origin.test', sameSite: 'Lax', httpOnly: false }));
  });

  it('writes the Cookie header for a URL, and needs the URL', async () => {
    expect((await exported(`format=header&url=${encodeURIComponent(url)}`)).text).toBe('sid=s3cr3t; theme=dark\n');
    const missing = await harness.api('/api/cookies/export?format=header');
    expect(missing.status).toBe(400);
    expect(await errorCode(missing)).toBe('JARSYNC_ERR_BAD_REQUEST');
    expect((await harness.api('/api/cookies/export?format=yaml')).status).toBe(400);
  });

  it('writes the same bytes as jarsync cookies --format', async () => {
    await harness.supervisor.flush();
    const [api, cli] = await Promise.all([
      Promise.all((['netscape', 'json', 'storage-state'] as const).map(async (format) => (await exported(`format=${format}&domain=origin.test`)).text)),
      Promise.all((['netscape', 'json', 'storage-state'] as const).map(async (format) => (await runCli(['cookies', '--format', format, '--domain', 'origin.test', '--data-dir', harness.dataDir])).stdout)),
    ]);
    expect(cli).toEqual(api);
  });
});

describe('waiting for a cookie', () => {
  it('answers at once when the jar holds it, and waits for it otherwise (long poll)', async () => {
    harness.supervisor.addDomain('wait.test');
    const held = await post('/api/cookies', { setCookie: 'first=1; Path=/', url: 'http://app.wait.test/' });
    expect(held.status).toBe(201);
    const now = await harness.api('/api/cookies/wait?domain=wait.test&name=first&timeout=5');
    expect(now.status).toBe(200);
    expect(await now.json()).toMatchObject({ key: 'first', value: '1' });

    const started = Date.now();
    const waiting = harness.api('/api/cookies/wait?domain=origin.test&name=login&timeout=10');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await getThroughProxy(harness.addresses.proxy.port, `http://app.origin.test:${origin.port}/set?login=yes`)).toBe(200);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ key: 'login', value: 'yes', domain: 'app.origin.test' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 204 when the timeout passes first, and skips a cookie older than changedSince', async () => {
    const started = Date.now();
    const none = await harness.api('/api/cookies/wait?domain=origin.test&name=never&timeout=0.3');
    expect(none.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // `first` is held, but changed before this moment.
    const old = await harness.api(`/api/cookies/wait?domain=wait.test&name=first&timeout=0.2&changedSince=${Date.now()}`);
    expect(old.status).toBe(204);
  });

  it.each([
    ['name=x&timeout=1', 'JARSYNC_ERR_BAD_REQUEST'],
    ['domain=origin.test&timeout=1', 'JARSYNC_ERR_BAD_REQUEST'],
    ['domain=origin.test&name=x&timeout=soon', 'JARSYNC_ERR_BAD_REQUEST'],
    ['domain=origin.test&name=x&timeout=301', 'JARSYNC_ERR_BAD_REQUEST'],
    ['domain=origin.test&name=x&changedSince=yesterday', 'JARSYNC_ERR_BAD_REQUEST'],
    ['domain=not a domain&name=x', 'JARSYNC_ERR_BAD_DOMAIN'],
  ])('refuses %s with 400 %s', async (query, code) => {
    const response = await harness.api(`/api/cookies/wait?${query}`);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe(code);
  });

  it('answers a long poll at once with 503 JARSYNC_ERR_NOT_RUNNING when jarsync closes', async () => {
    const closing = await startAdminHarness();
    const waiting = closing.api('/api/cookies/wait?domain=origin.test&name=never&timeout=60');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const closed = closing.close();
    const answer = await waiting;
    expect(answer.status).toBe(503);
    expect(await errorCode(answer)).toBe('JARSYNC_ERR_NOT_RUNNING');
    await closed;
    // Neither the answer nor the close waited for the poll's timeout, or for its connection to idle out.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('in the library: waitForCookie resolves, or rejects with JARSYNC_ERR_WAIT_TIMEOUT', async () => {
    const waiting = harness.supervisor.waitForCookie({ domain: 'origin.test', name: 'lib', timeoutMs: 5_000 });
    expect(await getThroughProxy(harness.addresses.proxy.port, `http://app.origin.test:${origin.port}/set?lib=42`)).toBe(200);
    expect(await waiting).toMatchObject({ key: 'lib', value: '42' });
    await expect(harness.supervisor.waitForCookie({ domain: 'origin.test', name: 'absent', timeoutMs: 50 })).rejects.toMatchObject({ code: 'JARSYNC_ERR_WAIT_TIMEOUT' });
    const controller = new AbortController();
    const aborted = harness.supervisor.waitForCookie({ domain: 'origin.test', name: 'absent', signal: controller.signal });
    controller.abort(new Error('no longer needed'));
    await expect(aborted).rejects.toThrow('no longer needed');
  });

  it('in the library: cookie$ emits every change of that cookie and no other', async () => {
    const changes = firstValueFrom(harness.supervisor.cookie$({ domain: 'origin.test', name: 'watched' }).pipe(take(2), toArray()));
    for (const path of ['/set?other=1', '/set?watched=a', '/set?watched=b']) {
      expect(await getThroughProxy(harness.addresses.proxy.port, `http://app.origin.test:${origin.port}${path}`)).toBe(200);
    }
    expect((await changes).map((change) => `${change.type} ${change.cookie.key}=${change.cookie.value}`)).toEqual(['added watched=a', 'updated watched=b']);
  });
});
