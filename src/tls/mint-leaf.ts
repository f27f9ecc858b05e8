/**
 * Mints the leaf certificate for one host: built with node-forge, signed with
 * the CA key by Node's native crypto, for the process-wide shared leaf key.
 * Pure apart from the random serial: no I/O, no state shared between calls.
 *
 * `createLeafMinter` parses the CA and the leaf key once and returns a minter
 * that only does the per-host work (the mint pool keeps one per thread);
 * `mintLeaf` is the one-shot form.
 *
 * Leaf profile (DESIGN.md "Certificates"; numbers in cert-policy.ts):
 *   subject        CN = host (see `commonNameFor` for names over 64 characters)
 *   issuer         the CA's subject, byte for byte
 *   serial         128 random bits, positive
 *   validity       now − 1 day … + 45 days, never past the CA's own notAfter
 *   subjectAltName dNSName, or iPAddress for an IPv4/IPv6 literal
 *   basicConstraints CA:FALSE (critical)
 *   keyUsage       digitalSignature, + keyEncipherment for an RSA key only (critical)
 *   extKeyUsage    serverAuth
 *   subjectKeyIdentifier, authorityKeyIdentifier = the CA's subjectKeyIdentifier
 *   signature      sha256WithRSAEncryption
 */
import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { JarsyncError } from '../errors.ts';
import { BACKDATE_MS, COMMON_NAME_MAX_LENGTH, LEAF_LIFETIME_MS, SERIAL_BITS } from './cert-policy.ts';
import { normalizeHost } from './host-name.ts';
import { derToPem, nameAsn1, OID, signCertificateDer, spkiAsn1, tbsCertificateDer, toWholeSeconds } from './x509-builder.ts';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  keyIdentifierFor,
  keyUsageExtension,
  serverAuthExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
  type KeyUsage,
} from './x509-extensions.ts';
import { readIssuerParts } from './x509-reader.ts';

/**
 * A minted leaf. The thread protocol's MintedLeaf (workers/protocol.ts) has this
 * shape; workers/mint-task.ts returns one as the other, so tsc keeps them equal.
 */
export interface MintedLeaf {
  /** The leaf certificate, PEM. */
  readonly certPem: string;
  /** Validity start and end, ms since the epoch (whole seconds, as in the certificate). */
  readonly notBefore: number;
  readonly notAfter: number;
}

/** What every leaf is minted from; the same for all hosts of a process. */
export interface LeafMinterKeys {
  /** The CA certificate, PEM. */
  readonly caCertPem: string;
  /** The CA's RSA private key, PEM (PKCS#8 or PKCS#1). */
  readonly caKeyPem: string;
  /** The shared leaf public key, SPKI PEM: EC P-256 or RSA. */
  readonly leafPublicKeyPem: string;
}

export interface MintLeafInput extends LeafMinterKeys {
  /** Host name or IP literal; normalised first (see host-name.ts). */
  readonly host: string;
  /** The clock, ms since the epoch: the validity window is computed from it. */
  readonly now: number;
}

/** Mints a leaf for `host` valid from `now` (ms since the epoch). Throws JARSYNC_ERR_MINT. */
export type LeafMinter = (host: string, now: number) => MintedLeaf;

/** Mints one leaf, parsing the CA and key on the way; use `createLeafMinter` to mint many. */
export function mintLeaf(input: MintLeafInput): MintedLeaf {
  return createLeafMinter(input)(input.host, input.now);
}

/** Parses the CA and the leaf key once; the returned minter does the per-host work only. */
export function createLeafMinter(keys: LeafMinterKeys): LeafMinter {
  const caKey = parsed('the CA private key', () => createPrivateKey(keys.caKeyPem));
  const caCert = parsed('the CA certificate', () => new X509Certificate(keys.caCertPem));
  const leafKey = parsed('the leaf public key', () => createPublicKey(keys.leafPublicKeyPem));
  // Leaves are signed sha256WithRSAEncryption, so the CA key must be RSA.
  if (caKey.asymmetricKeyType !== 'rsa') throw mintError(`the CA key is ${String(caKey.asymmetricKeyType)}, not RSA`);
  if (!caCert.checkPrivateKey(caKey)) throw mintError('the CA private key does not belong to the CA certificate');
  const keyUsages = leafKeyUsages(leafKey);

  const issuer = readIssuerParts(caCert.raw);
  const caNotAfter = caCert.validToDate.getTime();
  const subjectPublicKeyInfo = spkiAsn1(leafKey);
  const sameForEveryHost = [
    basicConstraintsExtension({ ca: false }),
    keyUsageExtension(keyUsages),
    serverAuthExtension(),
    // One key for every leaf (DESIGN.md), so one subjectKeyIdentifier too.
    subjectKeyIdentifierExtension(keyIdentifierFor(leafKey)),
    authorityKeyIdentifierExtension(issuer.subjectKeyIdentifier ?? keyIdentifierFor(caCert.publicKey)),
  ];

  return (host, now) => {
    const name = normalizeHost(host);
    const notBefore = toWholeSeconds(now - BACKDATE_MS);
    // A leaf that outlived its CA would fail verification anyway; saying so in notAfter lets the cache renew on time.
    const notAfter = Math.min(notBefore + LEAF_LIFETIME_MS, caNotAfter);
    if (notAfter <= now) throw mintError(`the CA expired on ${new Date(caNotAfter).toISOString()}`);
    const tbsDer = tbsCertificateDer({
      serial: randomBytes(SERIAL_BITS / 8),
      issuer: issuer.subject,
      subject: nameAsn1([{ oid: OID.commonName, value: commonNameFor(name) }]),
      notBefore,
      notAfter,
      subjectPublicKeyInfo,
      extensions: [...sameForEveryHost, subjectAltNameExtension(name)],
    });
    return { certPem: derToPem(signCertificateDer(tbsDer, caKey)), notBefore, notAfter };
  };
}

/**
 * The subject CN: the host itself when it fits in 64 characters (RFC 5280
 * ub-common-name). A longer name keeps its rightmost whole labels that fit, the
 * part a person recognises. Clients match the subjectAltName, which always
 * carries the full name; a CN is only read when no SAN exists (RFC 6125 §6.4.4).
 */
export function commonNameFor(host: string): string {
  if (host.length <= COMMON_NAME_MAX_LENGTH) return host;
  const labels = host.split('.');
  while (labels.length > 1 && labels.join('.').length > COMMON_NAME_MAX_LENGTH) labels.shift();
  return labels.join('.').slice(-COMMON_NAME_MAX_LENGTH);
}

/**
 * digitalSignature for every key; keyEncipherment only for RSA, the one key type
 * that can encrypt a TLS 1.2 RSA key exchange. RFC 8813 (updating RFC 5480 §3)
 * forbids keyEncipherment with an EC public key.
 */
function leafKeyUsages(leafKey: KeyObject): KeyUsage[] {
  if (leafKey.asymmetricKeyType === 'rsa') return ['digitalSignature', 'keyEncipherment'];
  if (leafKey.asymmetricKeyType === 'ec') return ['digitalSignature'];
  throw mintError(`the leaf key is ${String(leafKey.asymmetricKeyType)}, not EC or RSA`);
}

function parsed<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new JarsyncError('JARSYNC_ERR_MINT', `Cannot mint leaf certificates: ${what} is not valid PEM.`, { cause: error });
  }
}

function mintError(reason: string): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_MINT', `Cannot mint leaf certificates: ${reason}.`);
}
