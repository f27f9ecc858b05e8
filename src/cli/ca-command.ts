/**
 * `jarsync ca`: the CA certificate a device must trust, made if there is none
 * yet, so that devices can be set up before the proxy first runs. The
 * fingerprint goes to stderr, so that `jarsync ca --pem > ca.pem` stays a clean
 * PEM file while a person can still compare it with what a device shows.
 */
import { X509Certificate } from 'node:crypto';
import { loadOrCreateCa } from '../tls/ca.ts';
import type { CliIo } from './cli-io.ts';
import type { CaCommand } from './parse-args.ts';

export async function runCa(command: CaCommand, io: CliIo): Promise<number> {
  const ca = await loadOrCreateCa(command.dataDir);
  if (ca.created) io.stderr(`jarsync: created a new CA in ${command.dataDir}\n`);
  io.stdout(command.pem ? ca.certPem : `${ca.certPath}\n`);
  io.stderr(`SHA-256 fingerprint: ${new X509Certificate(ca.certPem).fingerprint256}\n`);
  return 0;
}
