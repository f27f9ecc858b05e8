/**
 * Where a running `jarsync start` can be reached, for the commands that talk
 * to it (`jarsync wait`): a small file in the data dir, written once the
 * admin API listens and removed when jarsync stops.
 *
 *   <data-dir>/admin.json   {"url":"http://127.0.0.1:5556","pid":1234}   mode 0600
 *
 * It holds no secret (the token stays in admin-token), but it lives beside
 * them, with the same mode. A file left by a jarsync that was killed names a
 * port nobody listens on: the command that reads it says so.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JarsyncError } from '../errors.ts';

export const ADMIN_ADDRESS_FILE = 'admin.json';

export interface AdminAddress {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
}

export async function writeAdminAddress(dataDir: string, address: AdminAddress): Promise<void> {
  const path = join(dataDir, ADMIN_ADDRESS_FILE);
  // Replaced, not appended to: a file left by a killed jarsync is stale.
  await rm(path, { force: true });
  await writeFile(path, `${JSON.stringify(address)}\n`, { mode: 0o600, flag: 'wx' });
}

/** Removes the file if it still names this process (another jarsync may have started on the data dir since). */
export async function removeAdminAddress(dataDir: string, pid: number): Promise<void> {
  const found = await readAdminAddress(dataDir).catch(() => null);
  if (found?.pid === pid) await rm(join(dataDir, ADMIN_ADDRESS_FILE), { force: true });
}

/** The address a running jarsync left; JARSYNC_ERR_NOT_RUNNING when there is none. */
export async function readAdminAddress(dataDir: string): Promise<AdminAddress> {
  const path = join(dataDir, ADMIN_ADDRESS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', `No jarsync is running with the data dir ${dataDir} (there is no ${ADMIN_ADDRESS_FILE}); start one with jarsync start.`);
  }
  const parsed = JSON.parse(text) as Partial<AdminAddress> | null;
  if (typeof parsed?.url !== 'string' || typeof parsed.pid !== 'number') {
    throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', `${path} does not say where jarsync runs; restart jarsync to write it again.`);
  }
  return { url: parsed.url, pid: parsed.pid };
}
