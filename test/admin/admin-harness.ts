/**
 * A real supervisor with its admin API, in a fresh data dir, for the admin
 * tests; and a plain-http origin that sets cookies, reached through the proxy
 * by name (`*.origin.test` resolves to 127.0.0.1).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupervisorOptions } from '../../src/options.ts';
import { createSupervisor } from '../../src/supervisor/supervisor.ts';
import type { Supervisor, SupervisorAddresses } from '../../src/supervisor/supervisor-api.ts';

export interface AdminHarness {
  readonly supervisor: Supervisor;
  readonly addresses: SupervisorAddresses;
  readonly dataDir: string;
  /** `http://127.0.0.1:<admin port>` */
  readonly base: string;
  readonly token: string;
  readonly tokenPath: string;
  /** fetch on the admin API with the bearer token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startAdminHarness(options: SupervisorOptions = {}): Promise<AdminHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jarsync-admin-'));
  const supervisor = createSupervisor({
    port: 0,
    adminPort: 0,
    workers: 1,
    dataDir,
    log: () => undefined,
    resolve: [{ pattern: '*.origin.test', address: '127.0.0.1' }],
    ...options,
  });
  const addresses = await supervisor.start();
  const admin = addresses.admin;
  if (admin === null) throw new Error('the supervisor started no admin API');
  const tokenPath = addresses.adminTokenPath;
  const token = readFileSync(tokenPath, 'utf8').trim();
  const base = `http://${admin.host}:${admin.port}`;
  return {
    supervisor,
    addresses,
    dataDir,
    base,
    token,
    tokenPath,
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(`${base}${path}`, { ...init, headers });
    },
    close: async () => {
      await supervisor.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CookieOrigin {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A plain-http origin:
 * - `/set?name=value&…` answers with one Set-Cookie per pair (`Path=/`);
 * - `/refuse` sets a cookie for a foreign domain, which the jar refuses;
 * - `/echo` answers with the request's Cookie header;
 * - anything else with 204.
 */
export async function startCookieOrigin(): Promise<CookieOrigin> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin.test');
    if (url.pathname === '/set') {
      res.setHeader('set-cookie', [...url.searchParams].map(([name, value]) => `${name}=${value}; Path=/`));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('set\n');
    } else if (url.pathname === '/refuse') {
      res.writeHead(200, { 'set-cookie': 'foreign=1; Domain=example.com; Path=/' }).end();
    } else if (url.pathname === '/echo') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(req.headers.cookie ?? '');
    } else {
      res.writeHead(204).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A GET through the proxy (absolute-form request target, as browsers send to an HTTP proxy); resolves with the status. */
export function getThroughProxy(proxyPort: number, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'GET', path: url, headers: { host: target.host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
