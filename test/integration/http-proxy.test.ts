import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookieChange } from '../../src/actors/cookie-change.ts';
import { curl } from '../helpers/curl.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { proxyRequest } from '../helpers/proxy-client.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

const BIG = randomBytes(24 * 1024 * 1024);
const BIG_SHA = createHash('sha256').update(BIG).digest('hex');
const GZIPPED = gzipSync(Buffer.from('compressed body '.repeat(1000)));

let origin: Origin;
let proxy: RunningSupervisor;
const seen: { headers: http.IncomingHttpHeaders; rawHeaders: string[]; url: string }[] = [];

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    seen.push({ headers: req.headers, rawHeaders: req.rawHeaders, url: req.url ?? '' });
    const url = req.url ?? '/';
    if (url.startsWith('/upload')) {
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      req.on('end', () => res.end(JSON.stringify({ length, sha: hash.digest('hex') })));
      return;
    }
    if (url === '/download') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // Written in pieces without a length: the response is chunked.
      let offset = 0;
      const step = (): void => {
        while (offset < BIG.length) {
          const piece = BIG.subarray(offset, offset + 1024 * 1024);
          offset += piece.length;
          if (!res.write(piece)) {
            res.once('drain', step);
            return;
          }
        }
        res.end();
      };
      step();
      return;
    }
    if (url === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain', 'content-length': GZIPPED.length });
      res.end(GZIPPED);
      return;
    }
    if (url === '/hop') {
      res.writeHead(200, { Connection: 'X-Secret, keep-alive', 'X-Secret': 'hop', 'Keep-Alive': 'timeout=5', 'X-Kept': 'yes' });
      res.end('hop');
      return;
    }
    if (url === '/never') return; // never answers
    if (url === '/reset') {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(Buffer.alloc(1000));
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    res.setHeader('set-cookie', ['session=s1; Path=/', 'pref=p1; Max-Age=600; Path=/']);
    res.end(`ok ${url}`);
  });
  proxy = await startSupervisor({ domains: ['sync.test'], workers: 2, upstreamResponseTimeoutMs: 1_500 });
});

afterAll(async () => {
  await proxy.stop();
  await origin.close();
});

const port = (): number => proxy.addresses.proxy.port;
const at = (host: string, path: string): string => `http://${host}:${origin.port}${path}`;

describe('plain HTTP forwarding', () => {
  it('forwards an absolute-form request with curl over keep-alive and records the synced cookies', async () => {
    const changes = firstValueFrom(proxy.supervisor.cookies$.pipe(filter((c) => c.url?.includes('/first') === true), take(2), toArray()));
    const result = await curl(['-x', proxy.proxyUrl, at('sync.test', '/first'), at('sync.test', '/second')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ok /firstok /second');
    const applied: CookieChange[] = await changes;
    expect(applied.map((c) => [c.type, c.cookie.key, c.cookie.value])).toEqual([
      ['added', 'session', 's1'],
      ['added', 'pref', 'p1'],
    ]);
    expect(applied[0]?.source).toBe('response');
    expect(applied[0]?.client).toMatch(/^127\.0\.0\.1:\d+$/);
    const cookies = await proxy.supervisor.cookies({ domain: 'sync.test' });
    expect(cookies.map((c) => c.key).sort()).toEqual(['pref', 'session']);
  });

  it('records nothing for a domain that is not synced', async () => {
    const before = (await proxy.supervisor.status()).events.received;
    const result = await curl(['-x', proxy.proxyUrl, at('other.test', '/x')]);
    expect(result.stdout).toBe('ok /x');
    // Long enough for an event to have arrived, were one sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await proxy.supervisor.status()).events.received).toBe(before);
    expect(await proxy.supervisor.cookies({ domain: 'other.test' })).toEqual([]);
  });

  it('streams a large upload without changing a byte', async () => {
    const response = await proxyRequest(port(), at('other.test', '/upload'), { method: 'POST', body: BIG, headers: { host: `other.test:${origin.port}`, 'content-length': BIG.length } });
    expect(JSON.parse(response.body.toString())).toEqual({ length: BIG.length, sha: BIG_SHA });
  });

  it('streams a large chunked download without changing a byte', async () => {
    const response = await proxyRequest(port(), at('other.test', '/download'));
    expect(response.status).toBe(200);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(createHash('sha256').update(response.body).digest('hex')).toBe(BIG_SHA);
  });

  it('passes gzip through untouched', async () => {
    const response = await proxyRequest(port(), at('other.test', '/gzip'), { headers: { host: `other.test:${origin.port}`, 'accept-encoding': 'gzip' } });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.body.equals(GZIPPED)).toBe(true);
  });

  it('removes hop-by-hop headers both ways and sets Host from the target URI', async () => {
    const response = await rawRequest(
      port(),
      `GET ${at('other.test', '/hop')} HTTP/1.1\r\n` +
        'Host: wrong.example\r\n' +
        'Connection: X-Drop-Me, close\r\n' +
        'X-Drop-Me: 1\r\n' +
        'Proxy-Connection: keep-alive\r\n' +
        'Keep-Alive: timeout=9\r\n' +
        'TE: trailers\r\n' +
        'Trailer: X-T\r\n' +
        'Proxy-Authorization: Basic Zm9vOmJhcg==\r\n' +
        'X-End-To-End: kept\r\n\r\n',
    );
    expect(response.status).toBe(200);
    const request = seen.find((entry) => entry.url === '/hop');
    expect(request).toBeDefined();
    const names = (request?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const gone of ['x-drop-me', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'proxy-authorization']) expect(names).not.toContain(gone);
    expect(request?.headers['x-end-to-end']).toBe('kept');
    expect(request?.headers.host).toBe(`other.test:${origin.port}`);
    expect(response.headers.get('x-secret')).toBeUndefined();
    expect(response.headers.get('x-kept')).toEqual(['yes']);
    expect(response.headers.get('keep-alive')).toBeUndefined();
    expect(response.body).toBe('3\r\nhop\r\n0\r\n\r\n'); // re-framed by the proxy: chunked
  });

  it('forwards the path exactly as the client wrote it', async () => {
    const response = await proxyRequest(port(), at('other.test', '/a/../b/%2e%2e/c?q=%20x'));
    expect(response.body.toString()).toBe('ok /a/../b/%2e%2e/c?q=%20x');
  });
});

describe('upstream trouble', () => {
  it('answers 502 naming a refused connection', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const response = await proxyRequest(port(), `http://127.0.0.1:${deadPort}/`);
    expect(response.status).toBe(502);
    expect(response.headers['x-jarsync-error']).toBe('JARSYNC_ERR_UPSTREAM_REFUSED');
    expect(response.body.toString()).toContain('refused');
  });

  it('answers 502 naming a host that does not resolve', async () => {
    const response = await proxyRequest(port(), 'http://no-such-host.invalid/');
    expect(response.status).toBe(502);
    expect(response.headers['x-jarsync-error']).toBe('JARSYNC_ERR_UPSTREAM_DNS');
  });

  it('answers 504 when the upstream does not answer in time, and keeps serving others meanwhile', async () => {
    const slow = proxyRequest(port(), at('other.test', '/never'));
    const fast = await proxyRequest(port(), at('other.test', '/meanwhile'));
    expect(fast.body.toString()).toBe('ok /meanwhile');
    const response = await slow;
    expect(response.status).toBe(504);
    expect(response.headers['x-jarsync-error']).toBe('JARSYNC_ERR_UPSTREAM_TIMEOUT');
  });

  it('ends the client response when the upstream resets mid-body, without hanging', async () => {
    await expect(proxyRequest(port(), at('other.test', '/reset'))).rejects.toThrow();
    const after = await proxyRequest(port(), at('other.test', '/after-reset'));
    expect(after.status).toBe(200);
  });

  it('answers 400 to a request target it cannot forward', async () => {
    const response = await proxyRequest(port(), 'ftp://example.test/file', { headers: { host: 'example.test' } });
    expect(response.status).toBe(400);
    expect(response.headers['x-jarsync-error']).toBe('JARSYNC_ERR_BAD_CLIENT_REQUEST');
  });
});

describe('WebSocket and other upgrades', () => {
  it('joins the sockets on 101 and records a Set-Cookie sent with it', async () => {
    const wsOrigin = http.createServer();
    const upgraded = new Set<net.Socket>();
    wsOrigin.on('upgrade', (req, socket: net.Socket) => {
      upgraded.add(socket);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Set-Cookie: ws=${req.headers.upgrade === 'websocket' ? 'yes' : 'no'}; Path=/\r\n\r\n`,
      );
      socket.on('data', (data: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), data])));
    });
    await new Promise<void>((resolve) => wsOrigin.listen(0, '127.0.0.1', resolve));
    const wsPort = (wsOrigin.address() as net.AddressInfo).port;
    const change = firstValueFrom(proxy.supervisor.cookies$.pipe(filter((c) => c.cookie.key === 'ws')));
    try {
      const echoed = await new Promise<string>((resolve, reject) => {
        const req = http.request({
          host: '127.0.0.1',
          port: port(),
          path: `http://sync.test:${wsPort}/socket`,
          headers: { host: `sync.test:${wsPort}`, connection: 'Upgrade', upgrade: 'websocket' },
          agent: false,
        });
        req.on('upgrade', (res, socket) => {
          expect(res.statusCode).toBe(101);
          socket.once('data', (data: Buffer) => {
            resolve(data.toString());
            socket.destroy();
          });
          socket.write('ping');
        });
        req.on('error', reject);
        req.end();
      });
      expect(echoed).toBe('echo:ping');
      const applied = await change;
      expect(applied.cookie.value).toBe('yes');
    } finally {
      // Upgraded sockets are no longer the server's: close() would wait for them.
      for (const socket of upgraded) socket.destroy();
      await new Promise((resolve) => wsOrigin.close(resolve));
    }
  });
});

describe('the CA page', () => {
  it('serves the CA as PEM and DER at http://jarsync.cert/', async () => {
    const page = await proxyRequest(port(), 'http://jarsync.cert/');
    expect(page.status).toBe(200);
    for (const system of ['iOS', 'Android', 'macOS', 'Windows', 'Linux', 'Firefox']) expect(page.body.toString()).toContain(system);
    const pem = await proxyRequest(port(), 'http://jarsync.cert/ca.pem');
    expect(pem.body.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const der = await proxyRequest(port(), 'http://jarsync.cert/ca.cer');
    expect(der.headers['content-type']).toBe('application/pkix-cert');
    expect(new (await import('node:crypto')).X509Certificate(der.body).subject).toContain('jarsync');
  });
});
