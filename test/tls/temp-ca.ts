/**
 * A jarsync CA in a fresh temporary data dir, for the tls tests: the real
 * `loadOrCreateCa`, so each test file pays one RSA-2048 key generation.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCa, type CertificateAuthority, type LoadOrCreateCaOptions } from '../../src/tls/ca.ts';

export interface TempCa {
  readonly ca: CertificateAuthority;
  /** The data dir holding ca.pem and ca-key.pem. */
  readonly dir: string;
  /** A scratch dir for the test's own files, removed with the CA. */
  readonly scratch: string;
  remove(): void;
}

export async function createTempCa(options: LoadOrCreateCaOptions = {}): Promise<TempCa> {
  const root = mkdtempSync(join(tmpdir(), 'jarsync-tls-'));
  const dir = join(root, 'data');
  const scratch = join(root, 'scratch');
  const ca = await loadOrCreateCa(dir, options);
  mkdirSync(scratch);
  return { ca, dir, scratch, remove: () => { rmSync(root, { recursive: true, force: true }); } };
}

/** Runs `openssl verify -x509_strict` on a leaf against the CA; returns openssl's output, throws on failure. */
export function opensslVerify(temp: TempCa, leafPem: string, name = 'leaf.pem'): string {
  const leafPath = join(temp.scratch, name);
  writeFileSync(leafPath, leafPem);
  return execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', temp.ca.certPath, leafPath], { encoding: 'utf8', stdio: 'pipe' });
}

/** `openssl x509 -noout -text` of a PEM certificate. */
export function opensslText(pem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
}
