/**
 * Where bench/setup.sh leaves what the runner needs: the origin's test PKI.
 * Made once and reused; setup.sh remakes it a day before it ends.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface OriginFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const ORIGIN_DIR = path.join(import.meta.dirname, '..', '.state', 'origin');

export const originFiles: OriginFiles = {
  caFile: path.join(ORIGIN_DIR, 'ca.pem'),
  certFile: path.join(ORIGIN_DIR, 'cert.pem'),
  keyFile: path.join(ORIGIN_DIR, 'key.pem'),
};

/** Names what is missing, or null when setup.sh has run. */
export function missingOriginFiles(files: OriginFiles = originFiles): string | null {
  const missing = [files.caFile, files.certFile, files.keyFile].filter((file) => !existsSync(file));
  return missing.length === 0 ? null : `missing ${missing.join(', ')}: run bash bench/setup.sh`;
}
