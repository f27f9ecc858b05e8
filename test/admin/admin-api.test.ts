import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SerializedCookie } from '../../src/store/jar-store.ts';
import { getThroughProxy, startAdminHarness, startCookieOrigin, type AdminHarness, type CookieOrigin } from './admin-harness.ts';

interface ErrorBody {
  readonly error: string;
  readonly code: string;
}

let harness: AdminHarness;
let origin: CookieOrigin;

beforeAll(async () => {
  [harness, origin] = await Promise.all([startAdminHarness(), startCookieOrigin()]);
});
afterAll(async () => {
  await harness.close();
  await origin.close();
});

async function errorOf(response: Response): Promise<ErrorBody> {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return (await response.json()) as ErrorBody;
}

function post(path: string, body: string, method = 'POST'): Promise<Response> {
  return harness.api(path, { method, body, headers: { 'content-type': 'application/json' } });
}

describe('authentication', () => {
  it('serves GET /ca.pem without a token: the CA certificate of the data dir', async () => {
    const response = await fetch(`${harness.base}/ca.pem`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-pem-file');
    expect(await response.text()).toBe(readFileSync(harness.addresses.caCertPath, 'utf8'));
  });

  it('keeps the token file 0600 in the data dir', () => {
    expect(harness.tokenPath).toBe(join(harness.dataDir, 'admin-token'));
    expect(harness.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(harness.tokenPath).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token of the same length', () => `Bearer ${'x'.repeat(harness.token.length)}`],
    ['a shorter token', () => 'Bearer abc'],
    ['a longer token', () => `Bearer ${harness.token}${harness.token}`],
    ['the token with a different scheme', () => `Basic ${harness.token}`],
    ['the token without a scheme', () => harness.token],
    ['an empty bearer', () => 'Bearer '],
  ])('answers 401 for %s, without a hint of the routes', async (_name, header) => {
    for (const path of ['/api/status', '/api/no-such-route']) {
      const response = await fetch(`${harness.base}${path}`, header === undefined ? {} : { headers: { authorization: header() } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="jarsync"');
      expect((await errorOf(response)).code).toBe('JARSYNC_ERR_UNAUTHORIZED');
    }
  });

  it('takes the scheme in any case (RFC 9110)', async () => {
    const response = await fetch(`${harness.base}/api/status`, { headers: { authorization: `bearer ${harness.token}` } });
    expect(response.status).toBe(200);
  });

  it('listens on 127.0.0.1 only', () => {
    expect(harness.addresses.admin?.host).toBe('127.0.0.1');
  });
});

describe('routing', () => {
  it('answers 404 for an unknown route', async () => {
    for (const path of ['/api/nope', '/api/status/', '/index.html', '/api/domains/a/b', '/assets/']) {
      const response = await harness.api(path);
      expect(response.status, path).toBe(404);
      expect((await errorOf(response)).code).toBe('JARSYNC_ERR_NOT_FOUND');
    }
  });

  it.each([
    ['POST', '/api/status', 'GET, HEAD'],
    ['PATCH', '/api/domains', 'GET, POST, HEAD'],
    ['GET', '/api/sync/start', 'POST'],
    ['DELETE', '/api/proxy', 'GET, PUT, HEAD'],
    ['PUT', '/api/cookies', 'GET, POST, DELETE, HEAD'],
    ['POST', '/api/events', 'GET'],
    ['GET', '/api/domains/example.com', 'DELETE'],
    ['DELETE', '/ca.pem', 'GET, HEAD'],
  ])('answers 405 with Allow for %s %s', async (method, path, allow) => {
    const response = await harness.api(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect((await errorOf(response)).code).toBe('JARSYNC_ERR_BAD_REQUEST');
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await fetch(`${harness.base}/ca.pem`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(500);
    expect(await response.text()).toBe('');
  });

  it('refuses a query parameter the route does not take, and one given twice', async () => {
    for (const path of ['/api/status?verbose=1', '/api/cookies?domian=example.com', '/api/cookies?domain=a.test&domain=b.test']) {
      const response = await harness.api(path);
      expect(response.status, path).toBe(400);
      expect((await errorOf(response)).code).toBe('JARSYNC_ERR_BAD_REQUEST');
    }
  });

  it('marks answers as not to be cached', async () => {
    const response = await harness.api('/api/domains');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /api/status', () => {
  it('is supervisor.status()', async () => {
    const response = await harness.api('/api/status');
    expect(response.status).toBe(200);
    const status = (await response.json()) as Record<string, unknown>;
    expect(status).toMatchObject({ state: 'running', syncing: true, dataDir: harness.dataDir, insecureUpstream: false });
    expect(status['proxy']).toEqual(harness.supervisor.proxyState());
    expect(Array.isArray(status['workers'])).toBe(true);
  });
});

describe('domains', () => {
  it('adds a domain: 201 with its canonical spec, then 200 with added: false', async () => {
    const first = await post('/api/domains', '{"domain":"*.Example.COM."}');
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe('/api/domains/example.com');
    expect(await first.json()).toEqual({ domain: 'example.com', added: true });
    const again = await post('/api/domains', '{"domain":"example.com"}');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ domain: 'example.com', added: false });
    expect(harness.supervisor.domains().map((rule) => rule.spec)).toContain('example.com');
  });

  it('lists the domains', async () => {
    await post('/api/domains', '{"domain":"https://api.example.net"}');
    const response = await harness.api('/api/domains');
    expect(response.status).toBe(200);
    const { domains } = (await response.json()) as { domains: string[] };
    expect(domains).toEqual(harness.supervisor.domains().map((rule) => rule.spec));
    expect(domains).toEqual(expect.arrayContaining(['example.com', 'https://api.example.net']));
  });

  it('removes a domain by its URL-encoded spec: 204, then 404', async () => {
    const path = `/api/domains/${encodeURIComponent('https://api.example.net')}`;
    const removed = await harness.api(path, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe('');
    expect(harness.supervisor.domains().map((rule) => rule.spec)).not.toContain('https://api.example.net');
    const missing = await harness.api(path, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('JARSYNC_ERR_NOT_FOUND');
  });

  it.each([
    ['a bad domain', '{"domain":"not a domain"}', 400, 'JARSYNC_ERR_BAD_DOMAIN'],
    ['a URL with a path', '{"domain":"https://example.com/path"}', 400, 'JARSYNC_ERR_BAD_DOMAIN'],
    ['a body that is not JSON', '{"domain":', 400, 'JARSYNC_ERR_BAD_REQUEST'],
    ['an empty body', '', 400, 'JARSYNC_ERR_BAD_REQUEST'],
    ['a JSON array', '["example.com"]', 400, 'JARSYNC_ERR_BAD_REQUEST'],
    ['a domain that is not a string', '{"domain":42}', 400, 'JARSYNC_ERR_BAD_REQUEST'],
    ['a misspelt field', '{"domian":"example.org"}', 400, 'JARSYNC_ERR_BAD_REQUEST'],
    ['an extra field', '{"domain":"example.org","sync":true}', 400, 'JARSYNC_ERR_BAD_REQUEST'],
    ['a body over 64 KB', JSON.stringify({ domain: 'a'.repeat(100_000) }), 413, 'JARSYNC_ERR_BAD_REQUEST'],
  ])('refuses %s', async (_name, body, status, code) => {
    const before = harness.supervisor.domains();
    const response = await post('/api/domains', body);
    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
    expect(harness.supervisor.domains()).toEqual(before);
  });

  it('answers 413 for a body over the limit sent in chunks, without a Content-Length', async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 20; index += 1) controller.enqueue(new TextEncoder().encode(' '.repeat(5_000)));
        controller.close();
      },
    });
    const response = await harness.api('/api/domains', { method: 'POST', body: chunks, duplex: 'half' });
    expect(response.status).toBe(413);
  });

  it('refuses to remove what is not a domain (400) and bad percent-encoding (400)', async () => {
    const notDomain = await harness.api(`/api/domains/${encodeURIComponent('not a domain')}`, { method: 'DELETE' });
    expect(notDomain.status).toBe(400);
    expect((await errorOf(notDomain)).code).toBe('JARSYNC_ERR_BAD_DOMAIN');
    const badEncoding = await harness.api('/api/domains/%E0%A4%A', { method: 'DELETE' });
    expect(badEncoding.status).toBe(400);
    expect((await errorOf(badEncoding)).code).toBe('JARSYNC_ERR_BAD_REQUEST');
  });
});

describe('sync', () => {
  it('stops and starts syncing', async () => {
    const stopped = await harness.api('/api/sync/stop', { method: 'POST' });
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toEqual({ syncing: false });
    expect(harness.supervisor.syncing).toBe(false);
    const status = (await (await harness.api('/api/status')).json()) as { syncing: boolean };
    expect(status.syncing).toBe(false);
    const started = await harness.api('/api/sync/start', { method: 'POST' });
    expect(await started.json()).toEqual({ syncing: true });
    expect(harness.supervisor.syncing).toBe(true);
  });
});

describe('cookies', () => {
  const jarOf = (cookies: readonly SerializedCookie[]): string[] => cookies.map((cookie) => `${cookie.domain ?? ''} ${cookie.key}=${cookie.value}`).sort();

  beforeAll(async () => {
    harness.supervisor.addDomain('origin.test');
    const proxy = harness.addresses.proxy.port;
    expect(await getThroughProxy(proxy, `http://app.origin.test:${origin.port}/set?sid=abc&theme=dark`)).toBe(200);
    expect(await getThroughProxy(proxy, `http://www.origin.test:${origin.port}/set?lang=en`)).toBe(200);
    await vi.waitFor(async () => {
      expect(await harness.supervisor.cookies()).toHaveLength(3);
    }, 5_000);
  });

  it('GET /api/cookies: every cookie, in tough-cookie JSON (`key` is the name)', async () => {
    const response = await harness.api('/api/cookies');
    expect(response.status).toBe(200);
    const cookies = (await response.json()) as SerializedCookie[];
    expect(jarOf(cookies)).toEqual(['app.origin.test sid=abc', 'app.origin.test theme=dark', 'www.origin.test lang=en']);
    expect(cookies.find((cookie) => cookie.key === 'sid')).toMatchObject({ path: '/', hostOnly: true });
  });

  it('GET /api/cookies?domain= and ?url= select as the jar does', async () => {
    const byDomain = (await (await harness.api('/api/cookies?domain=www.origin.test')).json()) as SerializedCookie[];
    expect(jarOf(byDomain)).toEqual(['www.origin.test lang=en']);
    const byUrl = (await (await harness.api(`/api/cookies?url=${encodeURIComponent('http://app.origin.test/any')}`)).json()) as SerializedCookie[];
    expect(jarOf(byUrl)).toEqual(['app.origin.test sid=abc', 'app.origin.test theme=dark']);
  });

  it.each([
    ['/api/cookies?url=notaurl', 'JARSYNC_ERR_BAD_URL'],
    ['/api/cookies?url=ftp%3A%2F%2Fexample.com%2F', 'JARSYNC_ERR_BAD_URL'],
    ['/api/cookies?domain=bad%20domain', 'JARSYNC_ERR_BAD_DOMAIN'],
    ['/api/cookies.txt?url=notaurl', 'JARSYNC_ERR_BAD_URL'],
    ['/api/cookies/header', 'JARSYNC_ERR_BAD_REQUEST'],
    ['/api/cookies/header?url=notaurl', 'JARSYNC_ERR_BAD_URL'],
  ])('GET %s answers 400', async (path, code) => {
    const response = await harness.api(path);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(code);
  });

  it('GET /api/cookies/header?url= is the Cookie header a browser would send', async () => {
    const response = await harness.api(`/api/cookies/header?url=${encodeURIComponent('http://app.origin.test/')}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ header: 'sid=abc; theme=dark' });
    const none = await harness.api(`/api/cookies/header?url=${encodeURIComponent('http://elsewhere.test/')}`);
    expect(await none.json()).toEqual({ header: '' });
  });

  it('GET /api/cookies.txt is a cookies.txt that curl -b sends from', async () => {
    const response = await harness.api('/api/cookies.txt');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text.startsWith('# Netscape HTTP Cookie File\n')).toBe(true);
    expect(text).toContain('app.origin.test\tFALSE\t/\tFALSE\t0\tsid\tabc\n');
    const file = join(harness.dataDir, 'cookies.txt');
    writeFileSync(file, text);
    // Asynchronously: the origin curl talks to runs on this event loop.
    const { stdout } = await promisify(execFile)(
      'curl',
      ['--silent', '--show-error', '--noproxy', '*', '-b', file, '--resolve', `app.origin.test:${origin.port}:127.0.0.1`, `http://app.origin.test:${origin.port}/echo`],
      { encoding: 'utf8', timeout: 5_000 },
    );
    expect(stdout.split('; ').sort()).toEqual(['sid=abc', 'theme=dark']);
  });

  it('GET /api/cookies.txt?domain= holds that domain only', async () => {
    const text = await (await harness.api('/api/cookies.txt?domain=www.origin.test')).text();
    expect(text).toContain('\tlang\ten\n');
    expect(text).not.toContain('\tsid\t');
  });

  it('DELETE /api/cookies refuses ?url= rather than emptying the jar', async () => {
    const response = await harness.api(`/api/cookies?url=${encodeURIComponent('http://app.origin.test/')}`, { method: 'DELETE' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('JARSYNC_ERR_BAD_REQUEST');
    expect(await harness.supervisor.cookies()).toHaveLength(3);
  });

  it('DELETE /api/cookies?domain= deletes that domain, DELETE /api/cookies the rest', async () => {
    const one = await harness.api('/api/cookies?domain=www.origin.test', { method: 'DELETE' });
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ deleted: 1 });
    const bad = await harness.api('/api/cookies?domain=bad%20domain', { method: 'DELETE' });
    expect(bad.status).toBe(400);
    const rest = await harness.api('/api/cookies', { method: 'DELETE' });
    expect(await rest.json()).toEqual({ deleted: 2 });
    expect(await harness.supervisor.cookies()).toEqual([]);
  });
});

describe('proxy', () => {
  it('GET /api/proxy is the proxy state', async () => {
    const response = await harness.api('/api/proxy');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ enabled: true, host: '127.0.0.1', port: harness.addresses.proxy.port });
  });

  it.each([
    ['{"enabled":"yes"}'],
    ['{"port":"8080"}'],
    ['{"port":70000}'],
    ['{"port":1.5}'],
    ['{"enabled":true,"host":"0.0.0.0"}'],
    ['null'],
  ])('PUT /api/proxy %s answers 400', async (body) => {
    const response = await post('/api/proxy', body, 'PUT');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('JARSYNC_ERR_BAD_REQUEST');
  });

  it('PUT /api/proxy answers 409 when the port changes while enabled', async () => {
    const port = harness.addresses.proxy.port;
    const response = await post('/api/proxy', JSON.stringify({ port: port === 65_535 ? port - 1 : port + 1 }), 'PUT');
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('JARSYNC_ERR_CONFLICT');
    expect(harness.supervisor.proxyState()).toEqual({ enabled: true, host: '127.0.0.1', port });
  });

  it('PUT /api/proxy disables the proxy, and enables it on another port (409 when that port is taken)', async () => {
    const port = harness.addresses.proxy.port;
    const off = await post('/api/proxy', '{"enabled":false}', 'PUT');
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ enabled: false, host: '127.0.0.1', port });
    await expect(connects(port)).resolves.toBe(false);

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const busy = await post('/api/proxy', JSON.stringify({ enabled: true, port: taken }), 'PUT');
      expect(busy.status).toBe(409);
      expect((await errorOf(busy)).code).toBe('JARSYNC_ERR_PORT_IN_USE');
    } finally {
      blocker.close();
    }

    const on = await post('/api/proxy', JSON.stringify({ enabled: true, port: 0 }), 'PUT');
    expect(on.status).toBe(200);
    const state = (await on.json()) as { enabled: boolean; port: number };
    expect(state.enabled).toBe(true);
    expect(state.port).toBeGreaterThan(0);
    await expect(connects(state.port)).resolves.toBe(true);
  });
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}
