/**
 * A mint thread that dies while minting: piscina replaces it, the cert
 * service logs the death and mints what was lost on the new thread, and the
 * next certificate is minted as usual.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertService, type RunningCertService } from '../../src/supervisor/cert-service.ts';
import { createLeafKey } from '../../src/tls/leaf-key.ts';
import { createTempCa, type TempCa } from './temp-ca.ts';

let temp: TempCa;
let service: RunningCertService;
const logs: string[] = [];

beforeAll(async () => {
  temp = await createTempCa();
  const leafKey = await createLeafKey();
  // One thread: the one that dies is the one minting.
  service = createCertService({ ca: temp.ca, leafKey, minThreads: 1, maxThreads: 1, log: (level, message) => logs.push(`${level}: ${message}`) });
});

afterAll(async () => {
  await service.close();
  temp.remove();
});

function expectLeafFor(host: string, pem: string): void {
  const cert = new X509Certificate(pem);
  expect(cert.checkHost(host)).toBe(host);
  expect(cert.verify(new X509Certificate(temp.ca.certPem).publicKey)).toBe(true);
}

describe('a mint thread that dies', () => {
  it('is replaced and logged; the mint it was running is done again, and the next one too', async () => {
    await service.leafFor('warm.example');
    const hosts = Array.from({ length: 100 }, (_, index) => `h${index}.example`);
    const minting = Promise.all(hosts.map((host) => service.leafFor(host)));
    // A hundred mints queued on one thread: it is busy with one of them now.
    expect(service.stats().queued).toBeGreaterThan(0);
    expect(await service.terminateThread()).toBe(true);

    const leaves = await minting;
    leaves.forEach((leaf, index) => {
      expectLeafFor(hosts[index] ?? '', leaf.certPem);
    });
    expect(logs.filter((line) => /^error: a mint thread died while minting a certificate for h\d+\.example \(.+\); piscina starts another, and the mint is tried again$/.test(line))).toHaveLength(1);

    const after = await service.leafFor('after.example');
    expectLeafFor('after.example', after.certPem);
    expect(service.stats()).toMatchObject({ threads: 1, failures: 0 });
  });
});
