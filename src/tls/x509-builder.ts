/**
 * Builds X.509 v3 certificates: node-forge's ASN.1 encoder lays out the
 * TBSCertificate (RFC 5280 §4.1), Node's native crypto signs its DER, and the
 * signed certificate is assembled around that signature.
 *
 *   fields ──forge asn1──▶ TBSCertificate DER ──crypto.sign(sha256, CA key)──▶ signature
 *          └───────────────── Certificate ::= SEQUENCE { tbs, algorithm, signature } ──▶ DER, PEM
 *
 * forge's own `cert.sign()` is pure JavaScript (~20 ms per RSA-2048 signature,
 * DESIGN.md); native signing makes the whole mint about a millisecond.
 */
import { sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { SIGNATURE_DIGEST } from './cert-policy.ts';

const { asn1 } = forge;

export type Asn1 = forge.asn1.Asn1;

/** Object identifiers used by jarsync's certificates (RFC 5280, RFC 8017). */
export const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** One attribute of a distinguished name, one RDN each (e.g. CN, O). */
export interface NameAttribute {
  readonly oid: string;
  readonly value: string;
}

/** The parts of a TBSCertificate that differ between certificates. */
export interface TbsFields {
  /** The serial's magnitude, big-endian; encoded as a positive INTEGER. */
  readonly serial: Buffer;
  /** The issuer Name, as ASN.1 (reuse the CA's subject so the bytes match exactly). */
  readonly issuer: Asn1;
  readonly subject: Asn1;
  /** ms since the epoch; X.509 time has whole seconds, so sub-second parts are dropped. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** SubjectPublicKeyInfo as ASN.1 (see `spkiAsn1`). */
  readonly subjectPublicKeyInfo: Asn1;
  readonly extensions: readonly Asn1[];
}

export function asn1ToDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'latin1');
}

export function derToAsn1(der: Buffer): Asn1 {
  return asn1.fromDer(der.toString('latin1'));
}

/** Wraps DER in PEM armour, 64 base64 characters a line (RFC 7468 §2). */
export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const base64 = der.toString('base64');
  const lines: string[] = [];
  for (let offset = 0; offset < base64.length; offset += 64) lines.push(base64.slice(offset, offset + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * SubjectPublicKeyInfo as ASN.1, taken from the DER that node:crypto exports.
 * forge can only encode RSA keys itself; going through the exported DER covers
 * EC keys too, and the bytes are exactly the key's.
 */
export function spkiAsn1(publicKey: KeyObject): Asn1 {
  return derToAsn1(publicKey.export({ type: 'spki', format: 'der' }));
}

/** A Name with one attribute per RDN, values as UTF8String (RFC 5280 §4.1.2.4). */
export function nameAsn1(attributes: readonly NameAttribute[]): Asn1 {
  return seq(
    attributes.map(({ oid, value }) =>
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
        seq([oidAsn1(oid), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, Buffer.from(value, 'utf8').toString('latin1'))]),
      ]),
    ),
  );
}

/** Builds the DER of a v3 TBSCertificate signed with sha256WithRSAEncryption. */
export function tbsCertificateDer(fields: TbsFields): Buffer {
  const tbs = seq([
    // [0] EXPLICIT Version: v3 is encoded as 2 (RFC 5280 §4.1.2.1).
    contextSpecificAsn1(0, true, [integerAsn1(Buffer.of(2))]),
    integerAsn1(fields.serial),
    signatureAlgorithmAsn1(),
    fields.issuer,
    seq([timeAsn1(fields.notBefore), timeAsn1(fields.notAfter)]),
    fields.subject,
    fields.subjectPublicKeyInfo,
    contextSpecificAsn1(3, true, [seq([...fields.extensions])]),
  ]);
  return asn1ToDer(tbs);
}

/**
 * Signs a TBSCertificate with the CA's RSA key and returns the Certificate DER.
 * The outer SEQUENCE is written around the TBS bytes as they are, so the signed
 * bytes are exactly the bytes in the certificate.
 */
export function signCertificateDer(tbsDer: Buffer, caKey: KeyObject): Buffer {
  const signature = sign(SIGNATURE_DIGEST, tbsDer, caKey);
  const algorithm = asn1ToDer(signatureAlgorithmAsn1());
  // BIT STRING: a leading octet counts the unused bits of the last octet (none).
  const signatureBits = derElement(0x03, Buffer.concat([Buffer.of(0), signature]));
  return derElement(0x30, Buffer.concat([tbsDer, algorithm, signatureBits]));
}

/** Seconds are the resolution of X.509 time; callers report the same instant the certificate states. */
export function toWholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export function seq(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

export function oidAsn1(oid: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes());
}

export function octetStringAsn1(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('latin1'));
}

/**
 * forge keeps a tag's number in its `type` field, typed as the universal types;
 * a context-specific [n] uses the member whose number is n.
 */
export const CONTEXT_TAG = { 0: asn1.Type.NONE, 2: asn1.Type.INTEGER, 3: asn1.Type.BITSTRING, 7: asn1.Type.ODESC } as const;

/** A context-specific [tag] element: IMPLICIT when primitive, EXPLICIT around one element when constructed. */
export function contextSpecificAsn1(tag: keyof typeof CONTEXT_TAG, constructed: boolean, value: string | Asn1[]): Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, CONTEXT_TAG[tag], constructed, value);
}

/** A non-negative INTEGER from big-endian magnitude bytes, in minimal DER form (X.690 §8.3.2). */
export function integerAsn1(magnitude: Buffer): Asn1 {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  // A set top bit would read as negative: a 0x00 octet keeps the value positive.
  const content = (trimmed[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, content.length === 0 ? '\0' : content.toString('latin1'));
}

function signatureAlgorithmAsn1(): Asn1 {
  // RFC 4055 §5: the parameters of sha256WithRSAEncryption are an explicit NULL.
  return seq([oidAsn1(OID.sha256WithRSAEncryption), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
}

function timeAsn1(ms: number): Asn1 {
  const date = new Date(toWholeSeconds(ms));
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on.
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function derElement(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.of(tag), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.of(0x80 | bytes.length, ...bytes);
}
