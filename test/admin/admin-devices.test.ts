/**
 * What devices are given: the proxy's addresses, the onboarding QR code, the
 * CA as DER and PKCS#12, and the PAC file, from the admin API and (the PAC
 * file) from the proxy port itself.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import vm from 'node:vm';
import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';
import { PAC_CONTENT_TYPE, pacAnswer, proxyPac, proxySeenBy } from '../../src/proxy/proxy-pac.ts';
import { deviceAddresses } from '../../src/supervisor/device-addresses.ts';
import { startAdminHarness, type AdminHarness } from './admin-harness.ts';

let harness: AdminHarness;

beforeAll(async () => {
  harness = await startAdminHarness({ domains: ['origin.test', 'https://secure.example.org', 'http://plain.example.net:8080'] });
});
afterAll(async () => {
  await harness.close();
});

/** Runs a PAC file's FindProxyForURL as a PAC engine does: a bare context with Netscape's helper functions. */
function findProxy(pac: string, url: string): string {
  const context = vm.createContext({
    dnsDomainIs: (host: string, domain: string) => host.length >= domain.length && host.endsWith(domain),
  });
  vm.runInContext(pac, context);
  const host = new URL(url).hostname;
  return String(vm.runInContext(`FindProxyForURL(${JSON.stringify(url)}, ${JSON.stringify(host)})`, context));
}

/** A plain origin-form GET straight at a proxy's port, as a device fetches its PAC file. */
function getFromProxy(port: number, path: string, host: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
  });
}

describe('the PAC file', () => {
  it('sends the synced domains through the proxy and everything else directly', async () => {
    const response = await fetch(`${harness.base}/proxy.pac`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(PAC_CONTENT_TYPE);
    const pac = await response.text();
    const proxy = `PROXY 127.0.0.1:${harness.addresses.proxy.port}`;
    expect(findProxy(pac, 'http://origin.test/')).toBe(proxy);
    expect(findProxy(pac, 'https://www.app.origin.test/login')).toBe(proxy);
    expect(findProxy(pac, 'http://notorigin.test/')).toBe('DIRECT');
    expect(findProxy(pac, 'https://example.com/')).toBe('DIRECT');
    // A scheme rule: exactly that host over that scheme (and port).
    expect(findProxy(pac, 'https://secure.example.org/')).toBe(proxy);
    expect(findProxy(pac, 'http://secure.example.org/')).toBe('DIRECT');
    expect(findProxy(pac, 'https://www.secure.example.org/')).toBe('DIRECT');
    expect(findProxy(pac, 'http://plain.example.net:8080/')).toBe(proxy);
    expect(findProxy(pac, 'http://plain.example.net/')).toBe('DIRECT');
    // The CA page, which a device opens through the proxy.
    expect(findProxy(pac, 'http://jarsync.cert/')).toBe(proxy);
  });

  it('follows the domain list', async () => {
    harness.supervisor.addDomain('later.test');
    try {
      const pac = await (await fetch(`${harness.base}/proxy.pac`)).text();
      expect(findProxy(pac, 'http://a.later.test/')).toBe(`PROXY 127.0.0.1:${harness.addresses.proxy.port}`);
    } finally {
      harness.supervisor.removeDomain('later.test');
    }
    const pac = await (await fetch(`${harness.base}/proxy.pac`)).text();
    expect(findProxy(pac, 'http://a.later.test/')).toBe('DIRECT');
  });

  it('is served by the proxy port too, pointing at the address the device used', async () => {
    const running = await startAdminHarness({ domains: ['origin.test'] });
    try {
      const port = running.addresses.proxy.port;
      const response = await getFromProxy(port, '/proxy.pac', `localhost:${port}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(PAC_CONTENT_TYPE);
      expect(findProxy(response.body, 'https://shop.origin.test/')).toBe(`PROXY localhost:${port}`);
      expect(findProxy(response.body, 'https://example.com/')).toBe('DIRECT');
      // The domain list as the worker knows it now.
      running.supervisor.addDomain('later.test');
      await expect.poll(async () => findProxy((await getFromProxy(port, '/proxy.pac?x=1', `127.0.0.1:${port}`)).body, 'http://later.test/')).toBe(`PROXY 127.0.0.1:${port}`);
      // The CA page is still there beside it.
      expect((await getFromProxy(port, '/', `127.0.0.1:${port}`)).body).toContain('Trust the jarsync CA');
    } finally {
      await running.close();
    }
  });

  it('never writes a Host header it cannot trust into the file', () => {
    const local = { host: '::ffff:192.168.1.20', port: 5555 };
    expect(proxySeenBy('192.168.1.20:5555', local)).toEqual({ host: '192.168.1.20', port: 5555 });
    expect(proxySeenBy('[fd00::7]:5555', local)).toEqual({ host: 'fd00::7', port: 5555 });
    for (const hostile of ['a"b:1', "x');alert(1);('", 'a b', '', undefined]) {
      expect(proxySeenBy(hostile, local), String(hostile)).toEqual({ host: '192.168.1.20', port: 5555 });
    }
    const answer = pacAnswer([parseDomainRule('example.com')], '[fd00::7]:5555', local);
    expect(findProxy(answer.body.toString(), 'http://example.com/')).toBe('PROXY [fd00::7]:5555');
  });

  it('with no domains, sends everything but the CA page directly', () => {
    const pac = proxyPac([], { host: '127.0.0.1', port: 5555 });
    expect(findProxy(pac, 'https://example.com/')).toBe('DIRECT');
    expect(findProxy(pac, 'http://jarsync.cert/')).toBe('PROXY 127.0.0.1:5555');
  });
});

describe('the CA for devices', () => {
  it('serves DER and PKCS#12 without the token, both the CA of ca.pem', async () => {
    const pem = readFileSync(harness.addresses.caCertPath, 'utf8');
    const ca = new X509Certificate(pem);

    const der = await fetch(`${harness.base}/ca.der`);
    expect(der.status).toBe(200);
    expect(der.headers.get('content-disposition')).toContain('jarsync-ca.der');
    expect(new X509Certificate(Buffer.from(await der.arrayBuffer())).fingerprint256).toBe(ca.fingerprint256);

    const p12 = await fetch(`${harness.base}/ca.p12`);
    expect(p12.status).toBe(200);
    expect(p12.headers.get('content-type')).toBe('application/x-pkcs12');
    const file = join(harness.dataDir, 'test-ca.p12');
    writeFileSync(file, Buffer.from(await p12.arrayBuffer()));
    // OpenSSL reads it with the empty password, and finds the certificate and no key.
    const out = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:', '-nokeys'], { encoding: 'utf8' });
    expect(out).not.toContain('PRIVATE KEY');
    const found = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)?.[0] ?? '';
    expect(new X509Certificate(found).fingerprint256).toBe(ca.fingerprint256);
    expect(execFileSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:', '-info', '-noout'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
  });
});

describe('GET /api/devices', () => {
  it('needs the token', async () => {
    expect((await fetch(`${harness.base}/api/devices`)).status).toBe(401);
  });

  it('gives the proxy address as devices type it, with a QR code that opens the onboarding page', async () => {
    const response = await harness.api('/api/devices');
    expect(response.status).toBe(200);
    const devices = (await response.json()) as {
      beyondLoopback: boolean;
      addresses: { host: string; port: number; address: string; onboardingUrl: string; pacUrl: string; qr: { size: number; path: string } }[];
      ca: { fingerprint256: string };
    };
    const port = harness.addresses.proxy.port;
    expect(devices.beyondLoopback).toBe(false);
    expect(devices.addresses).toHaveLength(1);
    const [address] = devices.addresses;
    expect(address).toMatchObject({ host: '127.0.0.1', port, address: `127.0.0.1:${port}`, onboardingUrl: `http://127.0.0.1:${port}/`, pacUrl: `http://127.0.0.1:${port}/proxy.pac` });
    expect(devices.ca.fingerprint256).toBe(new X509Certificate(readFileSync(harness.addresses.caCertPath)).fingerprint256);
    expect(decodeQr(address?.qr ?? { size: 0, path: '' })).toBe(`http://127.0.0.1:${port}/`);
  });
});

// jsqr is CommonJS whose types declare an ES default export: under Node's
// interop the import is module.exports, which is the function itself (and has
// it again as `default`).
const jsQR = jsQRModule.default;

/** Draws the QR path as the dashboard does (dark runs on white) and decodes it, as a phone's camera would. */
function decodeQr(qr: { size: number; path: string }): string | null {
  const scale = 4;
  const width = qr.size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y, run] of qr.path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let dx = 0; dx < Number(run) * scale; dx += 1) {
      for (let dy = 0; dy < scale; dy += 1) {
        const offset = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        pixels.fill(0, offset, offset + 3);
      }
    }
  }
  return jsQR(pixels, width, width)?.data ?? null;
}

describe('deviceAddresses', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: '192.168.1.23', family: 'IPv4', internal: false },
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: 'fd00::7', family: 'IPv6', internal: false },
    ],
    wlan0: [{ address: '10.0.0.5', family: 'IPv4', internal: false }],
  } as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;

  it.each([
    ['127.0.0.1', false, ['127.0.0.1:5555']],
    ['::1', false, ['[::1]:5555']],
    ['0.0.0.0', true, ['192.168.1.23:5555', '10.0.0.5:5555']],
    ['::', true, ['192.168.1.23:5555', '10.0.0.5:5555', '[fd00::7]:5555']],
    ['192.168.1.23', true, ['192.168.1.23:5555']],
  ])('bound to %s: beyond loopback %s, devices type %j', (bound, beyond, expected) => {
    const found = deviceAddresses(bound, 5555, interfaces);
    expect(found.beyondLoopback).toBe(beyond);
    expect(found.addresses.map((address) => address.address)).toEqual(expected);
    expect(found.addresses[0]?.onboardingUrl).toBe(`http://${expected[0] ?? ''}/`);
  });
});
