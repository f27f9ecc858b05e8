/**
 * The mint pool's task module on its own, in a bare piscina pool: what crosses
 * the thread boundary is exactly the protocol's MintTask and MintedLeaf.
 */
import { X509Certificate } from 'node:crypto';
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeafKey, type LeafKey } from '../../src/tls/leaf-key.ts';
import type { MintedLeaf, MintTask, MintWorkerData } from '../../src/workers/protocol.ts';
import { createTempCa, type TempCa } from './temp-ca.ts';

const TASK = new URL('../../src/workers/mint-task.ts', import.meta.url).href;

let temp: TempCa;
let leafKey: LeafKey;
beforeAll(async () => {
  [temp, leafKey] = await Promise.all([createTempCa(), createLeafKey()]);
});
afterAll(() => {
  temp.remove();
});

async function withPool<T>(workerData: unknown, use: (pool: Piscina<MintTask, MintedLeaf>) => Promise<T>): Promise<T> {
  const pool = new Piscina<MintTask, MintedLeaf>({ filename: TASK, workerData, minThreads: 0, maxThreads: 1 });
  try {
    return await use(pool);
  } finally {
    await pool.close();
  }
}

describe('workers/mint-task', () => {
  it('mints a leaf from the CA and key in workerData', async () => {
    const data: MintWorkerData = { caCertPem: temp.ca.certPem, caKeyPem: temp.ca.keyPem, leafPublicKeyPem: leafKey.publicKeyPem };
    const now = Date.now();
    const leaf = await withPool(data, (pool) => pool.run({ kind: 'mint', host: 'task.example', now }));
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.checkHost('task.example')).toBe('task.example');
    expect(cert.checkIssued(new X509Certificate(temp.ca.certPem))).toBe(true);
    expect(leaf.notBefore).toBe(cert.validFromDate.getTime());
    expect(leaf.notAfter).toBe(cert.validToDate.getTime());
  });

  it('fails each task, rather than hanging the pool, when workerData is unusable', async () => {
    const failure = await withPool({}, (pool) => pool.run({ kind: 'mint', host: 'task.example', now: Date.now() }).then(() => null, (error: unknown) => error));
    expect(failure).toBeInstanceOf(Error);
    // The code crosses the thread boundary in the cause, as a SerializedError.
    expect((failure as Error).cause).toMatchObject({ code: 'JARSYNC_ERR_MINT', message: expect.any(String) as unknown });
  });
});
