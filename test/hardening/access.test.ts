/**
 * Who may use the proxy: bound beyond loopback it refuses to start without
 * restrictions; an address not allowed is closed unanswered; a request
 * without valid proxy credentials gets 407 (plain and CONNECT); the user
 * names the device on its cookie events; credentials never go upstream.
 */
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JarsyncError } from '../../src/errors.ts';
import { createSupervisor } from '../../src/supervisor/supervisor.ts';
import { curl } from '../helpers/curl.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { proxyRequest } from '../helpers/proxy-client.ts';
import { openRaw, rawRequest } from '../helpers/raw-http.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

function thrown(run: () => unknown): JarsyncError {
  try {
    run();
  } catch (error) {
    if (error instanceof JarsyncError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let origin: Origin;
let secure: Origin;
let allowed: RunningSupervisor;
let authed: RunningSupervisor;
const seen: { readonly url: string; readonly headers: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.setHeader('set-cookie', `device=${req.url?.slice(1) ?? ''}; Path=/`);
    res.end(`ok ${req.url ?? ''}`);
  };
  origin = await startOrigin(handler);
  secure = await startOrigin(handler, { tls: true });
  [allowed, authed] = await Promise.all([
    startSupervisor({ allow: ['127.0.0.2', '10.0.0.0/8'] }),
    startSupervisor({
      domains: ['sync.test', 'origin.test'],
      auth: [
        { user: 'phone', password: 'pa:ss wörd' },
        { user: 'tablet', password: 'other' },
      ],
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([allowed.stop(), authed.stop()]);
  await Promise.all([origin.close(), secure.close()]);
});

describe('binding beyond loopback', () => {
  // Never started: nothing is written there.
  const dataDir = path.join(tmpdir(), 'jarsync-never-started');

  it.each([['0.0.0.0'], ['::'], ['192.0.2.10']])('refuses %s without --allow or --auth', (host) => {
    const error = thrown(() => createSupervisor({ host, dataDir }));
    expect(error.code).toBe('JARSYNC_ERR_BAD_OPTION');
    expect(error.message).toMatch(/^host: .*--allow.*--auth/);
  });

  it('takes it with an allow list or credentials', () => {
    expect(createSupervisor({ host: '0.0.0.0', allow: ['192.168.0.0/16'], dataDir }).options.maxConnectionsPerClient).toBe(256);
    expect(createSupervisor({ host: '::', auth: [{ user: 'a', password: 'b' }], dataDir }).options.auth).toEqual([{ user: 'a', password: 'b' }]);
    expect(createSupervisor({ host: '127.0.0.1', dataDir }).options.maxConnectionsPerClient).toBe(0);
  });
});

describe('--allow', () => {
  it('serves an allowed address', async () => {
    const connection = await openRaw(allowed.addresses.proxy.port, { localAddress: '127.0.0.2' });
    connection.socket.write(`GET http://a.test:${origin.port}/allowed HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n`);
    const response = await connection.closed();
    expect(response.status).toBe(200);
    expect(response.body).toContain('ok /allowed');
  });

  it('closes any other address’s connection without a byte, even this machine’s own 127.0.0.1', async () => {
    const connection = await openRaw(allowed.addresses.proxy.port);
    connection.socket.write(`GET http://a.test:${origin.port}/denied HTTP/1.1\r\nHost: a.test\r\n\r\n`);
    const response = await connection.closed(2_000);
    expect(response.raw).toBe('');
    expect(seen.some((request) => request.url === '/denied')).toBe(false);
    const [worker] = (await allowed.supervisor.status()).workers;
    expect(worker?.clientsDenied).toBeGreaterThan(0);
  });
});

describe('--auth', () => {
  const port = (): number => authed.addresses.proxy.port;

  it('answers a request without credentials 407 with Proxy-Authenticate, and closes', async () => {
    const response = await rawRequest(port(), `GET http://sync.test:${origin.port}/none HTTP/1.1\r\nHost: sync.test\r\n\r\n`);
    expect(response.status).toBe(407);
    expect(response.headers.get('proxy-authenticate')).toEqual(['Basic realm="jarsync", charset="UTF-8"']);
    expect(response.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_PROXY_AUTH']);
    expect(response.headers.get('connection')).toEqual(['close']);
  });

  it.each([
    ['a wrong password', basic('phone', 'wrong')],
    ['an unknown user', basic('laptop', 'other')],
    ['another user’s password', basic('tablet', 'pa:ss wörd')],
    ['another scheme', 'Bearer abc'],
    ['broken base64', 'Basic !!!'],
  ])('answers %s with 407', async (_, header) => {
    const response = await proxyRequest(port(), `http://sync.test:${origin.port}/wrong`, { headers: { host: 'sync.test', 'proxy-authorization': header } });
    expect(response.status).toBe(407);
  });

  it('answers a CONNECT without credentials 407', async () => {
    const response = await rawRequest(port(), `CONNECT a.origin.test:${secure.port} HTTP/1.1\r\nHost: a.origin.test:${secure.port}\r\n\r\n`);
    expect(response.status).toBe(407);
    expect(response.headers.get('proxy-authenticate')).toEqual(['Basic realm="jarsync", charset="UTF-8"']);
  });

  it('serves the right credentials, keeps them from the origin, and names the device on its cookie events', async () => {
    const event = firstValueFrom(authed.supervisor.cookies$.pipe(filter((change) => change.cookie.value === 'phone-plain')));
    const response = await proxyRequest(port(), `http://sync.test:${origin.port}/phone-plain`, {
      headers: { host: 'sync.test', 'proxy-authorization': basic('phone', 'pa:ss wörd') },
    });
    expect(response.body.toString()).toBe('ok /phone-plain');
    const upstream = seen.find((request) => request.url === '/phone-plain');
    expect(upstream?.headers['proxy-authorization']).toBeUndefined();
    expect(seen.every((request) => request.headers['proxy-authorization'] === undefined)).toBe(true);
    expect((await event).client).toMatch(/^phone@127\.0\.0\.1:\d+$/);
  });

  it('serves a CONNECT with credentials (curl) and names the device on cookies seen inside the tunnel', async () => {
    const event = firstValueFrom(authed.supervisor.cookies$.pipe(filter((change) => change.cookie.value === 'tablet-tls')));
    const result = await curl(['-x', authed.proxyUrl, '--proxy-user', 'tablet:other', '--cacert', authed.addresses.caCertPath, `https://a.origin.test:${secure.port}/tablet-tls`]);
    expect(result.stdout).toBe('ok /tablet-tls');
    expect((await event).client).toMatch(/^tablet@127\.0\.0\.1:\d+$/);
  });

  it('shows the CA page to a browser that opens the proxy’s own address, without credentials', async () => {
    const response = await rawRequest(port(), 'GET /ca.pem HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n');
    expect(response.status).toBe(200);
    expect(response.body).toContain('BEGIN CERTIFICATE');
  });
});
