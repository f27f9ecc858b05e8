/**
 * The data dir's certificate authority: created on first start, loaded on
 * every later one, never replaced behind the user's back. Devices trust this
 * CA once; a new CA means trusting again on every device, so a CA that cannot
 * be read stops the start with JARSYNC_ERR_CA and says how to recover.
 *
 *   <dataDir>/            mode 0700 (tightened to it if it is looser)
 *     ca.pem              the CA certificate, mode 0644: public, installed on devices
 *     ca-key.pem          its RSA private key, PKCS#8, mode 0600
 *
 * CA profile (DESIGN.md "Certificates"; numbers in cert-policy.ts):
 *   subject          CN = "jarsync CA (<hostname>) <YYYY-MM-DD>", O = jarsync
 *   validity         now − 1 day … now + 10 years
 *   basicConstraints CA:TRUE, pathlen:0 (critical)
 *   keyUsage         keyCertSign, cRLSign (critical)
 *   subjectKeyIdentifier; authorityKeyIdentifier = itself (as OpenSSL writes roots)
 *   signature        sha256WithRSAEncryption, RSA-2048 key made by node:crypto
 */
import { createPrivateKey, generateKeyPair, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname as machineName } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JarsyncError } from '../errors.ts';
import { BACKDATE_MS, CA_KEY_RSA_BITS, CA_LIFETIME_YEARS, CA_PATH_LENGTH, COMMON_NAME_MAX_LENGTH, SERIAL_BITS } from './cert-policy.ts';
import { derToPem, nameAsn1, OID, signCertificateDer, spkiAsn1, tbsCertificateDer, toWholeSeconds } from './x509-builder.ts';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  keyIdentifierFor,
  keyUsageExtension,
  subjectKeyIdentifierExtension,
} from './x509-extensions.ts';
import { readIssuerParts } from './x509-reader.ts';

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

/** The private key and its directory are the owner's alone. */
const DATA_DIR_MODE = 0o700;
const KEY_FILE_MODE = 0o600;
/** The certificate is public: users copy it to devices. */
const CERT_FILE_MODE = 0o644;

export interface CertificateAuthority {
  /** The CA certificate, PEM. */
  readonly certPem: string;
  /** The CA private key, PKCS#8 PEM. */
  readonly keyPem: string;
  readonly certDer: Buffer;
  /** The CA's subjectKeyIdentifier, lower-case hex: every leaf's authorityKeyIdentifier. */
  readonly subjectKeyIdentifier: string;
  /** End of validity, ms since the epoch. */
  readonly notAfter: number;
  readonly certPath: string;
  readonly keyPath: string;
  /** True when this call created the CA (devices must be told to trust it). */
  readonly created: boolean;
}

export interface LoadOrCreateCaOptions {
  /** The clock, ms since the epoch: a new CA's validity starts from it, a loaded CA is checked against it. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** The machine name in a new CA's common name, so CAs from several machines can be told apart in a trust store. Defaults to `os.hostname()`. */
  readonly hostname?: string;
}

const generate = promisify(generateKeyPair);

/** Loads the CA in `dataDir`, creating the directory and a new CA if neither file exists. Throws JARSYNC_ERR_CA. */
export async function loadOrCreateCa(dataDir: string, options: LoadOrCreateCaOptions = {}): Promise<CertificateAuthority> {
  const now = options.now ?? Date.now;
  const certPath = join(dataDir, CA_CERT_FILE);
  const keyPath = join(dataDir, CA_KEY_FILE);
  const recovery = `To start over with a new CA, move ${certPath} and ${keyPath} out of the data dir; every device that trusted the old CA must then be set up to trust the new one.`;

  await prepareDataDir(dataDir);
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem === null && keyPem === null) {
    const created = await createCa(certPath, keyPath, now(), options.hostname ?? machineName());
    // The new CA goes through the same checks as a loaded one.
    return { ...checkCa({ certPath, keyPath, ...created }, now(), recovery), created: true };
  }
  if (certPem === null) throw caError(`${keyPath} exists but ${certPath} is missing. ${recovery}`);
  if (keyPem === null) throw caError(`${certPath} exists but ${keyPath} is missing. ${recovery}`);
  await tightenMode(keyPath, KEY_FILE_MODE);
  return { ...checkCa({ certPath, keyPath, certPem, keyPem }, now(), recovery), created: false };
}

interface CaFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

function checkCa(files: CaFiles, now: number, recovery: string): Omit<CertificateAuthority, 'created'> {
  const { certPath, keyPath, certPem: certText, keyPem: keyText } = files;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch (error) {
    throw caError(`${certPath} is not a PEM certificate. ${recovery}`, error);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch (error) {
    throw caError(`${keyPath} is not a PEM private key. ${recovery}`, error);
  }
  if (key.asymmetricKeyType !== 'rsa') throw caError(`${keyPath} holds a ${String(key.asymmetricKeyType)} key; jarsync's CA key is RSA. ${recovery}`);
  if (!cert.checkPrivateKey(key)) throw caError(`${keyPath} is not the private key of ${certPath}. ${recovery}`);
  if (!cert.ca) throw caError(`${certPath} is not a CA certificate (basicConstraints CA:TRUE). ${recovery}`);
  const notAfter = cert.validToDate.getTime();
  if (notAfter <= now) throw caError(`${certPath} expired on ${cert.validToDate.toISOString()}. ${recovery}`);
  let ski: Buffer;
  try {
    ski = readIssuerParts(cert.raw).subjectKeyIdentifier ?? keyIdentifierFor(cert.publicKey);
  } catch (error) {
    throw caError(`${certPath} cannot be parsed as X.509. ${recovery}`, error);
  }
  return {
    certPem: cert.toString(),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }),
    certDer: cert.raw,
    subjectKeyIdentifier: ski.toString('hex'),
    notAfter,
    certPath,
    keyPath,
  };
}

async function createCa(certPath: string, keyPath: string, now: number, host: string): Promise<{ certPem: string; keyPem: string }> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: CA_KEY_RSA_BITS });
  const notBefore = toWholeSeconds(now - BACKDATE_MS);
  const notAfter = new Date(toWholeSeconds(now));
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_LIFETIME_YEARS);
  const name = nameAsn1([
    { oid: OID.commonName, value: caCommonName(host, now) },
    { oid: OID.organizationName, value: 'jarsync' },
  ]);
  const keyId = keyIdentifierFor(publicKey);
  const tbsDer = tbsCertificateDer({
    serial: randomBytes(SERIAL_BITS / 8),
    issuer: name,
    subject: name,
    notBefore,
    notAfter: notAfter.getTime(),
    subjectPublicKeyInfo: spkiAsn1(publicKey),
    extensions: [
      basicConstraintsExtension({ ca: true, pathLength: CA_PATH_LENGTH }),
      keyUsageExtension(['keyCertSign', 'cRLSign']),
      subjectKeyIdentifierExtension(keyId),
      authorityKeyIdentifierExtension(keyId),
    ],
  });
  const certPem = derToPem(signCertificateDer(tbsDer, privateKey));
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });

  // 'wx' refuses to overwrite: a CA that appeared meanwhile (another process) is never replaced.
  await writeNew(keyPath, keyPem, KEY_FILE_MODE);
  try {
    await writeNew(certPath, certPem, CERT_FILE_MODE);
  } catch (error) {
    // The key was written by this call a moment ago; without its certificate it is no CA.
    await unlink(keyPath).catch(() => undefined);
    throw error;
  }
  return { certPem, keyPem };
}

/** "jarsync CA (<hostname>) <date>", the hostname shortened so the CN stays within 64 characters. */
function caCommonName(host: string, now: number): string {
  const date = new Date(now).toISOString().slice(0, 10);
  const frame = `jarsync CA () ${date}`;
  return `jarsync CA (${host.slice(0, COMMON_NAME_MAX_LENGTH - frame.length)}) ${date}`;
}

async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: DATA_DIR_MODE });
    await tightenMode(dataDir, DATA_DIR_MODE);
  } catch (error) {
    if (error instanceof JarsyncError) throw error;
    throw caError(`Cannot create the data dir ${dataDir} with mode 0700: ${messageOf(error)}`, error);
  }
}

/** Removes group and other permissions a file or dir should not have; never widens. */
async function tightenMode(path: string, mode: number): Promise<void> {
  // Windows has no POSIX modes; its ACLs are the user profile's.
  if (process.platform === 'win32') return;
  const current = (await stat(path)).mode & 0o777;
  if ((current & ~mode) !== 0) await chmod(path, current & mode);
}

async function writeNew(path: string, content: string, mode: number): Promise<void> {
  try {
    await writeFile(path, content, { flag: 'wx', mode });
    // The umask may have removed bits from `mode`; the file gets exactly `mode`.
    await chmod(path, mode);
  } catch (error) {
    throw caError(`Cannot create ${path}: ${messageOf(error)}`, error);
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw caError(`Cannot read ${path}: ${messageOf(error)}`, error);
  }
}

function caError(message: string, cause?: unknown): JarsyncError {
  return cause === undefined ? new JarsyncError('JARSYNC_ERR_CA', message) : new JarsyncError('JARSYNC_ERR_CA', message, { cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
