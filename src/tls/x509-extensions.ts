/**
 * The X.509 v3 extensions jarsync puts in its certificates (RFC 5280 §4.2),
 * each as a complete Extension ::= SEQUENCE { extnID, critical, extnValue }.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { JarsyncError } from '../errors.ts';
import { ipAddressBytes } from './ip-address-bytes.ts';
import { asn1ToDer, contextSpecificAsn1, integerAsn1, octetStringAsn1, OID, oidAsn1, seq, type Asn1 } from './x509-builder.ts';

const { asn1 } = forge;

/** The keyUsage bits jarsync sets, by their position in the BIT STRING (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BIT = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export type KeyUsage = keyof typeof KEY_USAGE_BIT;

export function basicConstraintsExtension(options: { readonly ca: boolean; readonly pathLength?: number }): Asn1 {
  const fields: Asn1[] = [];
  // cA is DEFAULT FALSE: DER leaves a default value out (X.690 §11.5).
  if (options.ca) fields.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'));
  if (options.pathLength !== undefined) fields.push(integerAsn1(Buffer.of(options.pathLength)));
  // RFC 5280 §4.2.1.9: critical in CA certificates; CA/B Forum BR §7.1.2.7.8 allows it in leaves.
  return extension(OID.basicConstraints, true, seq(fields));
}

export function keyUsageExtension(usages: readonly KeyUsage[]): Asn1 {
  let bits = 0;
  for (const usage of usages) bits |= 0x80 >> KEY_USAGE_BIT[usage];
  // DER drops trailing zero bits of a named-bit list (X.690 §11.2.2); the first octet counts them.
  let unused = 0;
  while (unused < 7 && (bits & (1 << unused)) === 0) unused++;
  const value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(unused, bits));
  // RFC 5280 §4.2.1.3: conforming CAs SHOULD mark keyUsage critical.
  return extension(OID.keyUsage, true, value);
}

export function serverAuthExtension(): Asn1 {
  return extension(OID.extKeyUsage, false, seq([oidAsn1(OID.serverAuth)]));
}

/** subjectAltName with one name: iPAddress for an IPv4/IPv6 literal, dNSName otherwise. */
export function subjectAltNameExtension(host: string): Asn1 {
  const name =
    isIP(host) === 0
      ? contextSpecificAsn1(2, false, host)
      : contextSpecificAsn1(7, false, ipAddressBytes(host).toString('latin1'));
  // RFC 5280 §4.2.1.6: critical only when the subject is empty; jarsync always has a CN.
  return extension(OID.subjectAltName, false, seq([name]));
}

export function subjectKeyIdentifierExtension(keyIdentifier: Buffer): Asn1 {
  return extension(OID.subjectKeyIdentifier, false, octetStringAsn1(keyIdentifier));
}

export function authorityKeyIdentifierExtension(keyIdentifier: Buffer): Asn1 {
  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING, … }
  const keyId = contextSpecificAsn1(0, false, keyIdentifier.toString('latin1'));
  return extension(OID.authorityKeyIdentifier, false, seq([keyId]));
}

/**
 * A key identifier by RFC 5280 §4.2.1.2 method (1): the SHA-1 of the
 * subjectPublicKey BIT STRING's bytes, as OpenSSL computes it, so jarsync's
 * identifiers match what `openssl x509 -text` users expect.
 */
export function keyIdentifierFor(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(subjectPublicKeyBytes(publicKey)).digest();
}

function subjectPublicKeyBytes(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType === 'rsa') return publicKey.export({ type: 'pkcs1', format: 'der' });
  if (publicKey.asymmetricKeyType === 'ec') {
    // An EC subjectPublicKey is the uncompressed point 0x04 ‖ x ‖ y (RFC 5480 §2.2).
    const { x, y } = publicKey.export({ format: 'jwk' });
    if (x === undefined || y === undefined) throw new JarsyncError('JARSYNC_ERR_MINT', 'The EC public key has no coordinates.');
    return Buffer.concat([Buffer.of(4), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')]);
  }
  throw new JarsyncError('JARSYNC_ERR_MINT', `A ${String(publicKey.asymmetricKeyType)} public key cannot go in a jarsync certificate (RSA or EC only).`);
}

function extension(oid: string, critical: boolean, value: Asn1): Asn1 {
  const fields = [oidAsn1(oid)];
  // critical is DEFAULT FALSE: DER leaves it out when false.
  if (critical) fields.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'));
  fields.push(octetStringAsn1(asn1ToDer(value)));
  return seq(fields);
}
