import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JarsyncError } from '../../src/errors.ts';
import { loadOrCreateCa } from '../../src/tls/ca.ts';
import { createLeafKey, type LeafKey } from '../../src/tls/leaf-key.ts';
import { createLeafMinter, mintLeaf, type LeafMinter } from '../../src/tls/mint-leaf.ts';
import { createTempCa, opensslText, opensslVerify, type TempCa } from './temp-ca.ts';

const DAY = 86_400_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let temp: TempCa;
let ecKey: LeafKey;
let rsaKey: LeafKey;
let mintEc: LeafMinter;
let mintRsa: LeafMinter;

beforeAll(async () => {
  [temp, ecKey, rsaKey] = await Promise.all([createTempCa(), createLeafKey(), createLeafKey('rsa')]);
  mintEc = createLeafMinter({ caCertPem: temp.ca.certPem, caKeyPem: temp.ca.keyPem, leafPublicKeyPem: ecKey.publicKeyPem });
  mintRsa = createLeafMinter({ caCertPem: temp.ca.certPem, caKeyPem: temp.ca.keyPem, leafPublicKeyPem: rsaKey.publicKeyPem });
});
afterAll(() => {
  temp.remove();
});

function leaf(host: string, minter: LeafMinter = mintEc, now = Date.now()): X509Certificate {
  return new X509Certificate(minter(host, now).certPem);
}

/** The serial INTEGER's content octets, read from the DER: Certificate → TBSCertificate → [0] version → serial. */
function serialOctets(der: Buffer): Buffer {
  let offset = 0;
  const header = (): { tag: number; length: number } => {
    const tag = der[offset++] ?? -1;
    let length = der[offset++] ?? 0;
    if (length >= 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (der[offset++] ?? 0);
    }
    return { tag, length };
  };
  header(); // Certificate
  header(); // TBSCertificate
  const version = header();
  offset += version.length;
  const serial = header();
  expect(serial.tag).toBe(0x02);
  return der.subarray(offset, offset + serial.length);
}

function authorityKeyId(pem: string): string | undefined {
  const hex = /X509v3 Authority Key Identifier: *\n\s+(?:keyid:)?([0-9A-F:]+)\n/.exec(opensslText(pem))?.[1];
  return hex?.replaceAll(':', '').toLowerCase();
}

describe('mintLeaf: the leaf profile', () => {
  it('names the host in the subject CN and in a dNSName SAN, issued by the CA', () => {
    const cert = leaf('example.com');
    expect(cert.subject).toBe('CN=example.com');
    expect(cert.issuer).toBe(new X509Certificate(temp.ca.certPem).subject);
    expect(cert.subjectAltName).toBe('DNS:example.com');
    expect(cert.checkHost('example.com')).toBe('example.com');
    expect(cert.checkIssued(new X509Certificate(temp.ca.certPem))).toBe(true);
  });

  it('uses an iPAddress SAN for IPv4 and IPv6 literals', () => {
    const v4 = leaf('127.0.0.1');
    expect(v4.subjectAltName).toBe('IP Address:127.0.0.1');
    expect(v4.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const v6 = leaf('[::1]');
    expect(v6.subjectAltName).toBe('IP Address:0:0:0:0:0:0:0:1');
    expect(v6.checkIP('::1')).toBe('::1');
    expect(v6.subject).toBe('CN=::1');
    expect(leaf('2001:DB8::ffff:1.2.3.4').checkIP('2001:db8::ffff:102:304')).toBe('2001:db8::ffff:102:304');
  });

  it('normalises the host: lower case, no trailing dot, IDN as punycode', () => {
    expect(leaf('WWW.Example.COM.').subjectAltName).toBe('DNS:www.example.com');
    expect(leaf('bücher.de').subjectAltName).toBe('DNS:xn--bcher-kva.de');
  });

  it('is an end-entity certificate for TLS servers: CA:FALSE, serverAuth, SHA-256 with RSA', () => {
    const cert = leaf('example.com');
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    const text = opensslText(cert.toString());
    expect(text).toMatch(/Version: 3 \(0x2\)/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: *\n\s+TLS Web Server Authentication\n/);
    expect(text.match(/Signature Algorithm: sha256WithRSAEncryption/g)).toHaveLength(2);
  });

  it('asks keyEncipherment of an RSA key only (RFC 8813 forbids it for EC)', () => {
    const ec = opensslText(mintEc('example.com', Date.now()).certPem);
    expect(ec).toMatch(/Public Key Algorithm: id-ecPublicKey/);
    expect(ec).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/);
    const rsa = opensslText(mintRsa('example.com', Date.now()).certPem);
    expect(rsa).toMatch(/Public Key Algorithm: rsaEncryption/);
    expect(rsa).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
  });

  it('certifies the shared leaf key, whatever its type', () => {
    const ecSpki = createPublicKey(ecKey.publicKeyPem).export({ type: 'spki', format: 'der' });
    const rsaSpki = createPublicKey(rsaKey.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(leaf('a.example').publicKey.export({ type: 'spki', format: 'der' })).toEqual(ecSpki);
    expect(leaf('a.example', mintRsa).publicKey.export({ type: 'spki', format: 'der' })).toEqual(rsaSpki);
  });

  it('carries an authorityKeyIdentifier equal to the CA subjectKeyIdentifier', () => {
    expect(authorityKeyId(mintEc('example.com', Date.now()).certPem)).toBe(temp.ca.subjectKeyIdentifier);
    expect(authorityKeyId(mintRsa('192.0.2.1', Date.now()).certPem)).toBe(temp.ca.subjectKeyIdentifier);
  });

  it('carries the SHA-1 subjectKeyIdentifier of the leaf key (RFC 5280 §4.2.1.2 method 1)', () => {
    const jwk = createPublicKey(ecKey.publicKeyPem).export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
    const expected = createHash('sha1').update(point).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
    expect(opensslText(mintEc('example.com', Date.now()).certPem)).toContain(`X509v3 Subject Key Identifier: \n                ${expected}\n`);
  });

  it('gives every mint a different positive 128-bit serial in minimal DER', () => {
    const serials = Array.from({ length: 64 }, () => serialOctets(leaf('example.com').raw));
    expect(new Set(serials.map((octets) => octets.toString('hex'))).size).toBe(64);
    for (const octets of serials) {
      const value = BigInt(`0x${octets.toString('hex')}`);
      expect(value > 0n && value < 2n ** 128n).toBe(true);
      // Positive: the sign bit is clear. Minimal: a leading 0x00 only where the next octet needs it.
      expect((octets[0] ?? 0) & 0x80).toBe(0);
      if (octets[0] === 0) expect((octets[1] ?? 0) & 0x80).toBe(0x80);
    }
    // 64 draws of 128 random bits: some need the 0x00 sign octet, some do not.
    expect(serials.some((octets) => octets.length === 17)).toBe(true);
    expect(serials.some((octets) => octets.length <= 16)).toBe(true);
  });

  it('is valid from one day before `now` for 45 days, to the second', () => {
    const now = Date.UTC(2026, 5, 10, 8, 15, 42, 987);
    const minted = mintEc('example.com', now);
    const cert = new X509Certificate(minted.certPem);
    expect(cert.validFromDate.toISOString()).toBe('2026-06-09T08:15:42.000Z');
    expect(cert.validToDate.toISOString()).toBe('2026-07-24T08:15:42.000Z');
    expect(minted.notBefore).toBe(cert.validFromDate.getTime());
    expect(minted.notAfter).toBe(cert.validToDate.getTime());
    expect(minted.notAfter - minted.notBefore).toBe(45 * DAY);
  });

  it('keeps the full name of a host over 64 characters in the SAN and its rightmost labels in the CN', () => {
    const host = `${'a'.repeat(63)}.${'b'.repeat(40)}.example.com`;
    const pem = mintEc(host, Date.now()).certPem;
    const cert = new X509Certificate(pem);
    expect(cert.subjectAltName).toBe(`DNS:${host}`);
    expect(cert.subject).toBe(`CN=${'b'.repeat(40)}.example.com`);
    expect(cert.checkHost(host)).toBe(host);
    expect(opensslVerify(temp, pem, 'long.pem')).toMatch(/: OK\n$/);
  });

  it('refuses what no certificate can name, with JARSYNC_ERR_MINT', () => {
    for (const bad of ['', 'bad host', 'a..b', `${'x'.repeat(64)}.com`, `${'abc.'.repeat(64)}com`, 'tab\there', 'fe80::1%eth0']) {
      let caught: unknown;
      try {
        mintEc(bad, Date.now());
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(bad)).toBeInstanceOf(JarsyncError);
      expect((caught as JarsyncError).code).toBe('JARSYNC_ERR_MINT');
    }
  });

  it('mints the same profile one-shot with mintLeaf', () => {
    const minted = mintLeaf({ host: 'one.example', caCertPem: temp.ca.certPem, caKeyPem: temp.ca.keyPem, leafPublicKeyPem: ecKey.publicKeyPem, now: Date.now() });
    expect(new X509Certificate(minted.certPem).subjectAltName).toBe('DNS:one.example');
    expect(opensslVerify(temp, minted.certPem, 'one-shot.pem')).toMatch(/: OK\n$/);
  });

  it('refuses keys it cannot mint with, with JARSYNC_ERR_MINT', () => {
    const keys = { caCertPem: temp.ca.certPem, caKeyPem: temp.ca.keyPem, leafPublicKeyPem: ecKey.publicKeyPem };
    expect(() => createLeafMinter({ ...keys, caKeyPem: 'nonsense' })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_MINT' }));
    // A private key that is not the CA's.
    expect(() => createLeafMinter({ ...keys, caKeyPem: rsaKey.privateKeyPem })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_MINT' }));
  });
});

describe('mintLeaf: verification by OpenSSL', () => {
  it('passes openssl verify -x509_strict for a DNS name, an IPv4 and an IPv6 address, EC and RSA', () => {
    const now = Date.now();
    expect(opensslVerify(temp, mintEc('example.com', now).certPem, 'dns.pem')).toMatch(/: OK\n$/);
    expect(opensslVerify(temp, mintEc('127.0.0.1', now).certPem, 'ipv4.pem')).toMatch(/: OK\n$/);
    expect(opensslVerify(temp, mintEc('::1', now).certPem, 'ipv6.pem')).toMatch(/: OK\n$/);
    expect(opensslVerify(temp, mintRsa('example.com', now).certPem, 'rsa.pem')).toMatch(/: OK\n$/);
  });

  it('fails openssl verify against another CA (the check can fail)', async () => {
    const other = await createTempCa();
    try {
      expect(() => opensslVerify(other, mintEc('example.com', Date.now()).certPem)).toThrow();
    } finally {
      other.remove();
    }
  });
});

describe('mintLeaf: a CA near its end', () => {
  it('never outlives the CA, and refuses to mint once the CA has expired', async () => {
    const now = Date.now();
    const start = new Date(now);
    start.setUTCFullYear(start.getUTCFullYear() - 10);
    // A CA created ten years minus ten days ago has ten days left.
    const dir = join(temp.scratch, 'old-ca');
    const old = await loadOrCreateCa(dir, { now: () => start.getTime() + 10 * DAY });
    const minter = createLeafMinter({ caCertPem: old.certPem, caKeyPem: old.keyPem, leafPublicKeyPem: ecKey.publicKeyPem });
    const minted = minter('example.com', now);
    expect(minted.notAfter).toBe(old.notAfter);
    expect(minted.notAfter - now).toBeLessThan(11 * DAY);
    expect(() => minter('example.com', old.notAfter + 1000)).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_MINT' }));
  });
});

describe('mintLeaf: cost', () => {
  it('mints in well under 3 ms of CPU per host once warm (target: under 1.5 ms)', () => {
    for (let i = 0; i < 30; i++) mintEc(`warm${i}.example.com`, Date.now());
    const count = 150;
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) mintEc(`host${i}.example.com`, Date.now());
    const used = process.cpuUsage(before);
    const msPerMint = (used.user + used.system) / 1000 / count;
    expect(msPerMint).toBeLessThan(3);
  });
});
