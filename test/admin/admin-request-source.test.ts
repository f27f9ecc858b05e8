/**
 * The admin API against web pages: a page in the user's browser that reaches
 * it by DNS rebinding (a foreign Host) or sends it requests from elsewhere
 * (a foreign Origin, Sec-Fetch-Site) is refused with 403 before the token is
 * looked at, so even a request that carries the right token is refused.
 */
import http, { type OutgoingHttpHeaders } from 'node:http';
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/raw-http.ts';
import { startAdminHarness, type AdminHarness } from './admin-harness.ts';

let harness: AdminHarness;
let port: number;

beforeAll(async () => {
  harness = await startAdminHarness();
  port = harness.addresses.admin?.port ?? 0;
});
afterAll(async () => {
  await harness.close();
});

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A request to the admin port with exactly these headers (Node adds Host from `host` unless one is given). */
function send(path: string, headers: OutgoingHttpHeaders, options: { readonly method?: string; readonly host?: string; readonly lookup?: LookupFunction } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: options.host ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false, ...(options.lookup === undefined ? {} : { lookup: options.lookup }) },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const withToken = (headers: OutgoingHttpHeaders = {}): OutgoingHttpHeaders => ({ authorization: `Bearer ${harness.token}`, ...headers });

function codeOf(answer: Pick<Answer, 'body'>): string {
  return (JSON.parse(answer.body) as { code: string }).code;
}

/** Every name resolves to 127.0.0.1: what a rebinding DNS server makes of evil.example. */
const rebound: LookupFunction = (_hostname, options, callback) => {
  if (options.all === true) (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

describe('Host (DNS rebinding)', () => {
  it('refuses a rebound name (evil.example:<port> pointed at 127.0.0.1) with 403, token or not, on every path', async () => {
    for (const path of ['/api/status', '/api/cookies', '/ca.pem', '/api/no-such-route']) {
      for (const headers of [withToken(), {}]) {
        const answer = await send(path, headers, { host: 'evil.example', lookup: rebound });
        expect(answer.status, path).toBe(403);
        expect(codeOf(answer)).toBe('JARSYNC_ERR_FORBIDDEN');
      }
    }
  });

  it.each([
    ['a foreign name', () => `evil.example:${port}`],
    ['a foreign name without a port', () => 'evil.example'],
    ['a loopback name on another port', () => `127.0.0.1:${port + 1}`],
    ['loopback without the port', () => '127.0.0.1'],
    ['a name under localhost', () => `evil.localhost:${port}`],
    ['localhost with a trailing dot', () => `localhost.:${port}`],
    ['another loopback address', () => `127.0.0.2:${port}`],
  ])('refuses %s with 403 even with the token', async (_name, host) => {
    const answer = await send('/api/status', withToken({ host: host() }));
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('JARSYNC_ERR_FORBIDDEN');
  });

  it.each([
    ['two Host headers', () => [`127.0.0.1:${port}`, `evil.example:${port}`]],
    ['an empty Host', () => ['']],
    ['no Host (HTTP/1.0)', () => []],
  ])('refuses %s', async (_name, hosts) => {
    const head = [`GET /api/status HTTP/1.0`, `Authorization: Bearer ${harness.token}`, ...hosts().map((host) => `Host: ${host}`)];
    const answer = await rawRequest(port, `${head.join('\r\n')}\r\n\r\n`);
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('JARSYNC_ERR_FORBIDDEN');
  });

  it.each([
    () => `127.0.0.1:${port}`,
    () => `localhost:${port}`,
    () => `LOCALHOST:${port}`,
    () => `[::1]:${port}`,
  ])('serves Host %s', async (host) => {
    expect((await send('/api/status', withToken({ host: host() }))).status).toBe(200);
  });
});

describe('Origin and Sec-Fetch-Site (requests from web pages)', () => {
  type Headers = () => OutgoingHttpHeaders;
  it.each<[string, Headers]>([
    ['a foreign Origin', () => ({ origin: 'https://evil.example' })],
    ['a foreign Origin with a form’s content type', () => ({ origin: 'https://evil.example', 'content-type': 'text/plain' })],
    ['Origin: null (a sandboxed frame, a file: page)', () => ({ origin: 'null' })],
    ['a page of another local port', () => ({ origin: `http://127.0.0.1:${port + 1}` })],
    ['an https Origin for the admin host', () => ({ origin: `https://127.0.0.1:${port}` })],
    ['Sec-Fetch-Site: cross-site', () => ({ 'sec-fetch-site': 'cross-site' })],
    ['Sec-Fetch-Site: same-site (another port of the same host)', () => ({ 'sec-fetch-site': 'same-site' })],
    ['an unknown Sec-Fetch-Site', () => ({ 'sec-fetch-site': 'elsewhere' })],
    ['a same-origin Origin with Sec-Fetch-Site: cross-site', () => ({ origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'cross-site' })],
  ])('refuses %s with 403 even with the token', async (_name, headers) => {
    // A state change (what CSRF is after) and a read (what DNS rebinding is after).
    for (const [method, path] of [['POST', '/api/sync/stop'], ['GET', '/api/status']] as const) {
      const answer = await send(path, withToken(headers()), { method });
      expect(answer.status, path).toBe(403);
      expect(codeOf(answer)).toBe('JARSYNC_ERR_FORBIDDEN');
    }
    // Nothing was done: syncing still runs.
    expect(harness.supervisor.syncing).toBe(true);
  });

  it.each<[string, Headers]>([
    ['no Origin and no Sec-Fetch-Site (curl, scripts)', () => ({})],
    ['its own Origin', () => ({ origin: `http://127.0.0.1:${port}` })],
    ['its own Origin by the name localhost', () => ({ origin: `http://localhost:${port}`, host: `localhost:${port}` })],
    ['Sec-Fetch-Site: same-origin', () => ({ 'sec-fetch-site': 'same-origin' })],
    ['Sec-Fetch-Site: none (a URL typed in the address bar)', () => ({ 'sec-fetch-site': 'none' })],
  ])('serves %s', async (_name, headers) => {
    expect((await send('/api/status', withToken(headers()))).status).toBe(200);
  });

  it('still asks a request from a loopback client without Origin for its token (401)', async () => {
    const answer = await send('/api/status', {});
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('JARSYNC_ERR_UNAUTHORIZED');
  });
});
