/**
 * The supervisor's certificate service with its real piscina mint pool: the
 * task module runs in worker threads by Node's type stripping.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertService, type RunningCertService } from '../../src/supervisor/cert-service.ts';
import { createLeafKey, type LeafKey } from '../../src/tls/leaf-key.ts';
import { createTempCa, type TempCa } from './temp-ca.ts';

const DAY = 86_400_000;
const run = promisify(execFile);

let temp: TempCa;
let leafKey: LeafKey;
let service: RunningCertService;
const clock = { now: Date.now() };

beforeAll(async () => {
  [temp, leafKey] = await Promise.all([createTempCa(), createLeafKey()]);
  service = createCertService({ ca: temp.ca, leafKey, now: () => clock.now, minThreads: 1, maxThreads: 2 });
});
afterAll(async () => {
  await service.close();
  temp.remove();
});

describe('createCertService', () => {
  it('mints once for 100 concurrent leafFor calls on one new host, in the pool', async () => {
    const leaves = await Promise.all(Array.from({ length: 100 }, () => service.leafFor('Burst.Example.COM.')));
    expect(new Set(leaves.map((leaf) => leaf.certPem)).size).toBe(1);
    expect(service.stats()).toMatchObject({ size: 1, mints: 1, hits: 99, failures: 0 });

    const [leaf] = leaves;
    expect(leaf?.host).toBe('burst.example.com');
    const cert = new X509Certificate(leaf?.certPem ?? '');
    expect(cert.checkHost('burst.example.com')).toBe('burst.example.com');
    expect(cert.verify(new X509Certificate(temp.ca.certPem).publicKey)).toBe(true);
    expect(leaf?.notAfter).toBe(cert.validToDate.getTime());
  });

  it('normalises host names before caching: every spelling shares one leaf', async () => {
    const before = service.stats().mints;
    const [a, b, c] = await Promise.all([service.leafFor('Same.Example'), service.leafFor('same.example.'), service.leafFor('SAME.EXAMPLE')]);
    expect(a.host).toBe('same.example');
    expect(b.certPem).toBe(a.certPem);
    expect(c.certPem).toBe(a.certPem);
    expect(service.stats().mints - before).toBe(1);
    expect((await service.leafFor('[::1]')).host).toBe('::1');
  });

  it('mints with the injected clock', async () => {
    clock.now = Date.UTC(2027, 1, 2, 3, 4, 5, 678);
    try {
      const leaf = await service.leafFor('clock.example');
      expect(leaf.notAfter).toBe(Date.UTC(2027, 1, 2, 3, 4, 5) - DAY + 45 * DAY);
    } finally {
      clock.now = Date.now();
    }
  });

  it('rejects a host no certificate can name with JARSYNC_ERR_MINT', async () => {
    await expect(service.leafFor('not a host')).rejects.toMatchObject({ code: 'JARSYNC_ERR_MINT' });
  });

  it('refuses at start a CA key that does not match the CA, with JARSYNC_ERR_MINT', () => {
    expect(() => createCertService({ ca: { certPem: temp.ca.certPem, keyPem: leafKey.privateKeyPem }, leafKey })).toThrow(
      expect.objectContaining({ code: 'JARSYNC_ERR_MINT' }),
    );
  });

  it('refuses pool and cache sizes it cannot use, with JARSYNC_ERR_BAD_OPTION', () => {
    const bad: unknown = expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' });
    expect(() => createCertService({ ca: temp.ca, leafKey, maxHosts: 0 })).toThrow(bad);
    expect(() => createCertService({ ca: temp.ca, leafKey, minThreads: 2, maxThreads: 1 })).toThrow(bad);
    expect(() => createCertService({ ca: temp.ca, leafKey, maxThreads: 0 })).toThrow(bad);
  });

  it('reports a mint that fails in a pool thread as JARSYNC_ERR_MINT, and does not cache it', async () => {
    // Past the CA's notAfter the minter refuses; the refusal crosses the thread boundary.
    const late = createCertService({ ca: temp.ca, leafKey, now: () => temp.ca.notAfter + DAY, minThreads: 0, maxThreads: 1 });
    try {
      await expect(late.leafFor('example.com')).rejects.toMatchObject({ code: 'JARSYNC_ERR_MINT' });
      await expect(late.leafFor('example.com')).rejects.toMatchObject({ code: 'JARSYNC_ERR_MINT' });
      expect(late.stats()).toMatchObject({ size: 0, mints: 2, failures: 2 });
    } finally {
      await late.close();
    }
  });

  it('closes its pool: no threads left, later calls rejected with JARSYNC_ERR_NOT_RUNNING', async () => {
    const own = createCertService({ ca: temp.ca, leafKey, minThreads: 1, maxThreads: 1 });
    await own.leafFor('close.example');
    expect(own.stats().threads).toBe(1);
    await own.close();
    expect(own.stats().threads).toBe(0);
    await expect(own.leafFor('close.example')).rejects.toMatchObject({ code: 'JARSYNC_ERR_NOT_RUNNING' });
  });

  it('lets the process exit once closed', async () => {
    const serviceUrl = new URL('../../src/supervisor/cert-service.ts', import.meta.url).href;
    const caUrl = new URL('../../src/tls/ca.ts', import.meta.url).href;
    const script = `
      import { createCertService } from ${JSON.stringify(serviceUrl)};
      import { loadOrCreateCa } from ${JSON.stringify(caUrl)};
      const ca = await loadOrCreateCa(${JSON.stringify(temp.dir)});
      const service = createCertService({ ca, leafKey: { publicKeyPem: ${JSON.stringify(leafKey.publicKeyPem)} }, minThreads: 2, maxThreads: 2 });
      const leaf = await service.leafFor('exit.example');
      await service.close();
      console.log(leaf.host, 'closed');
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { timeout: 10_000 });
    expect(stdout.trim()).toBe('exit.example closed');
  });
});
