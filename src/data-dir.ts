/**
 * What lives in a data dir, by file name. The dir itself is 0700; secrets in it
 * (the CA key, the admin token) are 0600.
 *
 *   <data-dir>/ca.pem         the CA certificate devices install   (tls/ca.ts)
 *   <data-dir>/ca-key.pem     its private key                       (tls/ca.ts)
 *   <data-dir>/admin-token    the admin API's bearer token          (supervisor/admin-token.ts)
 *   <data-dir>/jar.sqlite     the cookie jar, with -wal and -shm    (store/sqlite-jar-store.ts)
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export const JAR_FILE = 'jar.sqlite';
export const ADMIN_TOKEN_FILE = 'admin-token';

export function jarPath(dataDir: string): string {
  return path.join(dataDir, JAR_FILE);
}

/** Creates the data dir (0700) if it does not exist yet. */
export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
}
