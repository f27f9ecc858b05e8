/**
 * The CA certificate as a PKCS#12 file (.p12), which Windows' and macOS's
 * certificate import and some Android builds take where they will not take
 * PEM or DER. It holds the certificate only, never the CA key.
 *
 * node:crypto cannot write PKCS#12; node-forge can, and builds the file here.
 * The certificate bag is not encrypted (a certificate is public); the file has
 * an integrity MAC under an empty password, because several importers refuse a
 * file without one and then ask for a password: the answer is to leave it empty.
 */
import forge from 'node-forge';

/** The name importers show for the certificate. */
const FRIENDLY_NAME = 'jarsync CA';

export function caPkcs12(caCertPem: string): Buffer {
  const certificate = forge.pki.certificateFromPem(caCertPem);
  const pfx = forge.pkcs12.toPkcs12Asn1(null, [certificate], '', { friendlyName: FRIENDLY_NAME, algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(pfx).getBytes(), 'binary');
}
