/**
 * Reads the two parts of an existing certificate that a leaf must copy from
 * its issuer: the subject Name, byte for byte (a leaf's issuer must match it,
 * RFC 5280 §4.1.2.4), and the subjectKeyIdentifier (the leaf's
 * authorityKeyIdentifier, §4.2.1.1).
 */
import forge from 'node-forge';
import { JarsyncError } from '../errors.ts';
import { CONTEXT_TAG, derToAsn1, OID, type Asn1 } from './x509-builder.ts';

const { asn1 } = forge;

export interface IssuerParts {
  /** The certificate's subject Name as ASN.1, to be used as a leaf's issuer. */
  readonly subject: Asn1;
  /** The subjectKeyIdentifier's key identifier bytes, or null when the certificate has none. */
  readonly subjectKeyIdentifier: Buffer | null;
}

export function readIssuerParts(certDer: Buffer): IssuerParts {
  const tbs = children(children(derToAsn1(certDer))[0]);
  // Version is an optional [0]; without it (v1) every later field moves up by one.
  const first = tbs[0];
  const offset = first?.tagClass === asn1.Class.CONTEXT_SPECIFIC && first.type === CONTEXT_TAG[0] ? 1 : 0;
  const subject = tbs[offset + 4];
  if (subject === undefined) throw malformed();
  const extensionsField = tbs.find((node) => node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === CONTEXT_TAG[3]);
  let subjectKeyIdentifier: Buffer | null = null;
  for (const ext of extensionsField === undefined ? [] : children(children(extensionsField)[0])) {
    const fields = children(ext);
    if (asn1.derToOid(bytes(fields[0])) !== OID.subjectKeyIdentifier) continue;
    // extnValue is an OCTET STRING holding the DER of the KeyIdentifier OCTET STRING.
    const extnValue = fields[fields.length - 1];
    subjectKeyIdentifier = Buffer.from(bytes(asn1.fromDer(bytes(extnValue))), 'latin1');
  }
  return { subject, subjectKeyIdentifier };
}

function children(node: Asn1 | undefined): Asn1[] {
  if (node === undefined || !Array.isArray(node.value)) throw malformed();
  return node.value;
}

function bytes(node: Asn1 | undefined): string {
  if (node === undefined || typeof node.value !== 'string') throw malformed();
  return node.value;
}

function malformed(): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_CA', 'The CA certificate is not a well-formed X.509 certificate.');
}
