import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JarsyncError } from '../../src/errors.ts';
import { CA_CERT_FILE, CA_KEY_FILE, loadOrCreateCa } from '../../src/tls/ca.ts';
import { createTempCa, opensslText, type TempCa } from './temp-ca.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 1, 12, 30, 15, 250);

let temp: TempCa;
let cert: X509Certificate;

beforeAll(async () => {
  temp = await createTempCa({ now: () => NOW, hostname: 'testhost' });
  cert = new X509Certificate(temp.ca.certPem);
});
afterAll(() => {
  temp.remove();
});

/** A copy of the CA's two files in a new data dir, for tests that damage them. */
function copyCa(name: string): { dir: string; certPath: string; keyPath: string } {
  const dir = join(temp.scratch, name);
  mkdirSync(dir, { mode: 0o700 });
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  copyFileSync(temp.ca.certPath, certPath);
  copyFileSync(temp.ca.keyPath, keyPath);
  return { dir, certPath, keyPath };
}

async function caError(dir: string, now = NOW): Promise<JarsyncError> {
  const error: unknown = await loadOrCreateCa(dir, { now: () => now }).then(
    () => null,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(JarsyncError);
  return error as JarsyncError;
}

describe('loadOrCreateCa: a new CA', () => {
  it('creates ca.pem and ca-key.pem in a 0700 data dir, the key 0600', () => {
    expect(temp.ca.created).toBe(true);
    expect(temp.ca.certPath).toBe(join(temp.dir, 'ca.pem'));
    expect(temp.ca.keyPath).toBe(join(temp.dir, 'ca-key.pem'));
    expect(statSync(temp.dir).mode & 0o777).toBe(0o700);
    expect(statSync(temp.ca.keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(temp.ca.certPath, 'utf8')).toBe(temp.ca.certPem);
  });

  it('is a self-signed RSA-2048 CA whose key is the one in ca-key.pem', () => {
    expect(cert.ca).toBe(true);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(createPrivateKey(temp.ca.keyPem))).toBe(true);
    expect(Buffer.compare(cert.raw, temp.ca.certDer)).toBe(0);
  });

  it('names the machine and the day in its CN, with O=jarsync', () => {
    expect(cert.subject.split('\n')).toEqual(['CN=jarsync CA (testhost) 2026-05-01', 'O=jarsync']);
  });

  it('is valid from a day before now for 10 years, to the second', () => {
    const second = Math.floor(NOW / 1000) * 1000;
    expect(cert.validFromDate.getTime()).toBe(second - DAY);
    expect(cert.validToDate.toISOString()).toBe('2036-05-01T12:30:15.000Z');
    expect(temp.ca.notAfter).toBe(cert.validToDate.getTime());
  });

  it('has the extensions of the profile: critical CA:TRUE, critical keyCertSign+cRLSign, SKI, SHA-256', () => {
    const text = opensslText(temp.ca.certPem);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    const ski = /X509v3 Subject Key Identifier: *\n\s+([0-9A-F:]+)\n/.exec(text)?.[1];
    expect(ski?.replaceAll(':', '').toLowerCase()).toBe(temp.ca.subjectKeyIdentifier);
    expect(temp.ca.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives a very long machine name no more room than a 64-character CN allows', async () => {
    const long = await loadOrCreateCa(join(temp.scratch, 'long-host'), { now: () => NOW, hostname: 'h'.repeat(100) });
    const cn = new X509Certificate(long.certPem).subject.split('\n')[0] ?? '';
    expect(cn.slice('CN='.length)).toHaveLength(64);
    expect(cn).toMatch(/^CN=jarsync CA \(h+\) 2026-05-01$/);
  });
});

describe('loadOrCreateCa: an existing CA', () => {
  it('loads the same CA on the next start', async () => {
    const again = await loadOrCreateCa(temp.dir, { now: () => NOW + DAY });
    expect(again.created).toBe(false);
    expect(again.certPem).toBe(temp.ca.certPem);
    expect(again.keyPem).toBe(temp.ca.keyPem);
    expect(again.subjectKeyIdentifier).toBe(temp.ca.subjectKeyIdentifier);
    expect(again.notAfter).toBe(temp.ca.notAfter);
  });

  it('tightens a data dir and key file that others can read', async () => {
    const copy = copyCa('loose');
    chmodSync(copy.dir, 0o755);
    chmodSync(copy.keyPath, 0o644);
    await loadOrCreateCa(copy.dir, { now: () => NOW });
    expect(statSync(copy.dir).mode & 0o777).toBe(0o700);
    expect(statSync(copy.keyPath).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt key file with JARSYNC_ERR_CA, naming the file, and leaves both files alone', async () => {
    const copy = copyCa('corrupt-key');
    writeFileSync(copy.keyPath, '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    const error = await caError(copy.dir);
    expect(error.code).toBe('JARSYNC_ERR_CA');
    expect(error.message).toContain(copy.keyPath);
    expect(readFileSync(copy.certPath, 'utf8')).toBe(temp.ca.certPem);
    expect(readFileSync(copy.keyPath, 'utf8')).toContain('not a key');
  });

  it('refuses a corrupt certificate file with JARSYNC_ERR_CA, naming the file', async () => {
    const copy = copyCa('corrupt-cert');
    writeFileSync(copy.certPath, temp.ca.certPem.slice(0, 200));
    const error = await caError(copy.dir);
    expect(error.code).toBe('JARSYNC_ERR_CA');
    expect(error.message).toContain(copy.certPath);
  });

  it('refuses a key that belongs to another certificate', async () => {
    const copy = copyCa('mismatched');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(copy.keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const error = await caError(copy.dir);
    expect(error.code).toBe('JARSYNC_ERR_CA');
    expect(error.message).toContain(copy.keyPath);
  });

  it('refuses half a CA instead of making a new one', async () => {
    const copy = copyCa('half');
    writeFileSync(copy.certPath, '');
    const emptyCert = await caError(copy.dir);
    expect(emptyCert.code).toBe('JARSYNC_ERR_CA');

    const keyOnly = join(temp.scratch, 'key-only');
    mkdirSync(keyOnly);
    copyFileSync(temp.ca.keyPath, join(keyOnly, CA_KEY_FILE));
    const missingCert = await caError(keyOnly);
    expect(missingCert.code).toBe('JARSYNC_ERR_CA');
    expect(missingCert.message).toContain(join(keyOnly, CA_CERT_FILE));
    expect(() => statSync(join(keyOnly, CA_CERT_FILE))).toThrow();
  });

  it('refuses an expired CA rather than replacing it', async () => {
    const error = await caError(temp.dir, temp.ca.notAfter + 1000);
    expect(error.code).toBe('JARSYNC_ERR_CA');
    expect(readFileSync(temp.ca.certPath, 'utf8')).toBe(temp.ca.certPem);
  });
});
