import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl } from '../helpers/curl.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { originCaPem } from '../helpers/origin-tls.ts';
import { proxyHttpsRequest, tlsThroughProxy } from '../helpers/proxy-client.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { ORIGIN_CA_FILE, startSupervisor } from '../helpers/supervisor.ts';

let origin: Origin;
let proxy: RunningSupervisor;
let jarsyncCa: string;

beforeAll(async () => {
  origin = await startOrigin(
    (req, res) => {
      res.setHeader('set-cookie', [`sid=${req.headers.host ?? ''}; Path=/; Secure; HttpOnly; SameSite=Lax`, 'theme=dark; Max-Age=3600']);
      res.end(`secure ok ${req.url ?? ''}`);
    },
    { tls: true },
  );
  proxy = await startSupervisor({ domains: ['origin.test', 'https://127.0.0.1'], workers: 2 });
  jarsyncCa = await readFile(proxy.addresses.caCertPath, 'utf8');
});

afterAll(async () => {
  await proxy.stop();
  await origin.close();
});

const port = (): number => proxy.addresses.proxy.port;
const issuerOf = (socket: tls.TLSSocket): string => new X509Certificate(socket.getPeerX509Certificate()?.raw ?? Buffer.alloc(0)).issuer;

async function waitFor<T>(probe: () => Promise<T | undefined>, withinMs: number): Promise<{ value: T | undefined; ms: number }> {
  const start = performance.now();
  for (;;) {
    const value = await probe();
    const ms = performance.now() - start;
    if (value !== undefined || ms > withinMs) return { value, ms };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a synced https origin', () => {
  it('is decrypted for curl trusting the jarsync CA, and its cookies are in the jar within 100 ms', async () => {
    const result = await curl(['-x', proxy.proxyUrl, '--cacert', proxy.addresses.caCertPath, `https://origin.test:${origin.port}/login`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('secure ok /login');
    const { value, ms } = await waitFor(async () => {
      const cookies = await proxy.supervisor.cookies({ url: `https://origin.test:${origin.port}/` });
      return cookies.some((c) => c.key === 'sid') ? cookies : undefined;
    }, 100);
    expect(ms).toBeLessThan(100);
    const sid = value?.find((c) => c.key === 'sid');
    expect(sid).toMatchObject({ value: `origin.test:${origin.port}`, secure: true, httpOnly: true, sameSite: 'lax', hostOnly: true });
  });

  it('presents a leaf for the SNI name, issued by the jarsync CA, negotiating http/1.1', async () => {
    const socket = await tlsThroughProxy(port(), 'a.origin.test', origin.port, { ca: jarsyncCa, ALPNProtocols: ['h2', 'http/1.1'] });
    try {
      expect(socket.authorized).toBe(true);
      expect(socket.alpnProtocol).toBe('http/1.1');
      expect(issuerOf(socket)).toContain('O=jarsync');
      expect(socket.getPeerX509Certificate()?.subjectAltName).toBe('DNS:a.origin.test');
    } finally {
      socket.destroy();
    }
  });

  it('names the CONNECT host in the certificate when the client sends no SNI', async () => {
    const socket = await tlsThroughProxy(port(), '127.0.0.1', origin.port, { ca: jarsyncCa });
    try {
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerX509Certificate()?.subjectAltName).toBe('IP Address:127.0.0.1');
    } finally {
      socket.destroy();
    }
  });

  it('serves a Node https client through the tunnel and records what it sends and receives', async () => {
    const response = await proxyHttpsRequest(port(), `https://node.origin.test:${origin.port}/node`, { ca: jarsyncCa, headers: { cookie: 'script=1' } });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('secure ok /node');
    // Events reach the jar a moment after the response reaches the client.
    const { value } = await waitFor(async () => {
      const names = (await proxy.supervisor.cookies({ url: `https://node.origin.test:${origin.port}/` })).map((c) => c.key).sort();
      return names.length === 3 ? names : undefined;
    }, 1_000);
    expect(value).toEqual(['script', 'sid', 'theme']);
  });

  it('mints once for a burst of 100 first handshakes to one new host', async () => {
    const before = (await proxy.supervisor.status()).certificates.mints;
    const sockets = await Promise.all(Array.from({ length: 100 }, () => tlsThroughProxy(port(), 'burst.origin.test', origin.port, { ca: jarsyncCa })));
    for (const socket of sockets) {
      expect(socket.authorized).toBe(true);
      socket.destroy();
    }
    expect((await proxy.supervisor.status()).certificates.mints - before).toBe(1);
  });
});

describe('a host that is not synced', () => {
  it('goes through a blind tunnel: the client sees the origin’s own certificate and nothing is recorded', async () => {
    const socket = await tlsThroughProxy(port(), 'localhost', origin.port, { ca: originCaPem });
    try {
      expect(socket.authorized).toBe(true);
      expect(issuerOf(socket)).toContain('O=jarsync tests');
    } finally {
      socket.destroy();
    }
    const before = (await proxy.supervisor.status()).events.received;
    const result = await curl(['-x', proxy.proxyUrl, '--cacert', ORIGIN_CA_FILE, `https://localhost:${origin.port}/blind`]);
    expect(result.stdout).toBe('secure ok /blind');
    // Long enough for an event to have arrived, were one sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await proxy.supervisor.status()).events.received).toBe(before);
    expect(await proxy.supervisor.cookies({ domain: 'localhost' })).toEqual([]);
  });

  it('answers a CONNECT to a closed port with 502', async () => {
    const result = await curl(['-x', proxy.proxyUrl, '-o', '/dev/null', '-w', '%{http_connect}', 'https://unsynced.test:1/']);
    expect(result.stdout).toBe('502');
  });
});

describe('domains and syncing changed at run time', () => {
  it('decrypts a host as soon as its domain is added, and stops when it is removed', async () => {
    const host = 'late.test';
    const blindBefore = await tlsThroughProxy(port(), host, origin.port, { servername: 'origin.test', ca: originCaPem });
    expect(issuerOf(blindBefore)).toContain('O=jarsync tests');
    blindBefore.destroy();

    proxy.supervisor.addDomain(host);
    const decrypted = await tlsThroughProxy(port(), host, origin.port, { ca: jarsyncCa });
    expect(issuerOf(decrypted)).toContain('O=jarsync');
    decrypted.destroy();

    expect(proxy.supervisor.removeDomain(host)).toBe(true);
    const blindAfter = await tlsThroughProxy(port(), host, origin.port, { servername: 'origin.test', ca: originCaPem });
    expect(issuerOf(blindAfter)).toContain('O=jarsync tests');
    blindAfter.destroy();
  });

  it('neither decrypts nor records anything while syncing is stopped', async () => {
    proxy.supervisor.stopSyncing();
    try {
      const socket = await tlsThroughProxy(port(), 'stopped.origin.test', origin.port, { ca: originCaPem, servername: 'origin.test' });
      expect(issuerOf(socket)).toContain('O=jarsync tests');
      socket.destroy();
      const before = (await proxy.supervisor.status()).events.received;
      const result = await curl(['-x', proxy.proxyUrl, '--cacert', ORIGIN_CA_FILE, '--resolve', `stopped.origin.test:${origin.port}:127.0.0.1`, `https://stopped.origin.test:${origin.port}/`]);
      expect(result.stdout).toContain('secure ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await proxy.supervisor.status()).events.received).toBe(before);
    } finally {
      proxy.supervisor.startSyncing();
    }
  });
});

describe('upstream certificate verification', () => {
  it('refuses an origin whose certificate it cannot verify with 502, and says why', async () => {
    const strict = await startSupervisor({ domains: ['origin.test'], caFiles: [] });
    try {
      const ca = await readFile(strict.addresses.caCertPath, 'utf8');
      const response = await proxyHttpsRequest(strict.addresses.proxy.port, `https://origin.test:${origin.port}/`, { ca });
      expect(response.status).toBe(502);
      expect(response.headers['x-jarsync-error']).toBe('JARSYNC_ERR_UPSTREAM_TLS');
      expect(response.body.toString()).toMatch(/TLS failed/);
    } finally {
      await strict.stop();
    }
  });

  it('accepts it with insecureUpstream, and warns that it does', async () => {
    const loose = await startSupervisor({ domains: ['origin.test'], caFiles: [], insecureUpstream: true });
    try {
      expect(loose.logs.some((line) => line.startsWith('warn:') && line.includes('NOT verified'))).toBe(true);
      const ca = await readFile(loose.addresses.caCertPath, 'utf8');
      const response = await proxyHttpsRequest(loose.addresses.proxy.port, `https://origin.test:${origin.port}/`, { ca });
      expect(response.status).toBe(200);
    } finally {
      await loose.stop();
    }
  });
});

describe('every worker', () => {
  it('serves connections and sends cookie events, as /api/status shows', async () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const workers = (await proxy.supervisor.status()).workers;
      if (workers.every((w) => w.connectionsTotal > 0 && w.eventsSent > 0)) break;
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          proxyHttpsRequest(port(), `https://w${attempt}-${i}.origin.test:${origin.port}/`, { ca: jarsyncCa }),
        ),
      );
    }
    const workers = (await proxy.supervisor.status()).workers;
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      expect(worker.alive).toBe(true);
      expect(worker.connectionsTotal).toBeGreaterThan(0);
      expect(worker.eventsSent).toBeGreaterThan(0);
    }
    expect(new Set(workers.map((w) => w.threadId)).size).toBe(2);
  });
});
