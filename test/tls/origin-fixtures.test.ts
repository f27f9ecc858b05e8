/** The origin-server test PKI that other tests rely on (test/fixtures/origin/, test/helpers/origin-tls.ts). */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { originCaPem, originCertPem, originKeyPem } from '../helpers/origin-tls.ts';

const cert = new X509Certificate(originCertPem);
const ca = new X509Certificate(originCaPem);

describe('origin test PKI', () => {
  it('names localhost, origin.test, *.origin.test, 127.0.0.1 and ::1', () => {
    for (const host of ['localhost', 'origin.test', 'api.origin.test']) expect(cert.checkHost(host)).toBeDefined();
    expect(cert.checkHost('deep.api.origin.test')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
  });

  it('is signed by its own test CA, with its key, valid until 2036 at least', () => {
    expect(ca.ca).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(originKeyPem))).toBe(true);
    expect(cert.validToDate.getTime()).toBeGreaterThanOrEqual(Date.UTC(2036, 0, 1));
    expect(ca.validToDate.getTime()).toBeGreaterThanOrEqual(Date.UTC(2036, 0, 1));
  });

  it('passes openssl verify -x509_strict', () => {
    const dir = fileURLToPath(new URL('../fixtures/origin/', import.meta.url));
    expect(execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', `${dir}ca.pem`, `${dir}cert.pem`], { encoding: 'utf8' })).toMatch(/: OK\n$/);
  });
});
