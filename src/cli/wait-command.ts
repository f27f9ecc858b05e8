/**
 * `jarsync wait`: waits, through the running jarsync's admin API, until the
 * jar holds a cookie, and prints it (tough-cookie JSON): for a script that
 * must not go on before a login has happened.
 *
 *   admin.json (where) + admin-token (who) ──▶ GET /api/cookies/wait … (long polls, one after another)
 *      200 ─▶ print the cookie, exit 0     204 at the deadline ─▶ exit 1     a bad flag ─▶ exit 2
 *
 * One long poll lasts at most MAX_WAIT_SECONDS; a longer --timeout asks again
 * with the same changedSince until the deadline.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN_TOKEN_FILE } from '../data-dir.ts';
import { isErrorCode, JarsyncError } from '../errors.ts';
import { MAX_WAIT_SECONDS } from '../supervisor/admin-cookie-routes.ts';
import { readAdminAddress } from './admin-address-file.ts';
import type { CliIo } from './cli-io.ts';
import type { WaitCommand } from './parse-args.ts';

/** Exit code when no cookie came in time (as `grep` finding nothing). */
export const EXIT_WAIT_TIMEOUT = 1;

export async function runWait(command: WaitCommand, io: CliIo): Promise<number> {
  const { url } = await readAdminAddress(command.dataDir);
  const token = (await readFile(join(command.dataDir, ADMIN_TOKEN_FILE), 'utf8')).trim();
  const deadline = Date.now() + command.timeoutSeconds * 1000;
  for (;;) {
    const seconds = Math.max(0, Math.min(MAX_WAIT_SECONDS, (deadline - Date.now()) / 1000));
    const query = new URLSearchParams({ domain: command.domain, name: command.name, timeout: seconds.toFixed(3) });
    if (command.changedSince !== null) query.set('changedSince', String(command.changedSince));
    let response: Response;
    try {
      response = await fetch(`${url}/api/cookies/wait?${query.toString()}`, { headers: { authorization: `Bearer ${token}` } });
    } catch (error) {
      throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', `Cannot reach jarsync's admin API at ${url} (from ${command.dataDir}/admin.json): ${causeOf(error)}. Is it running?`);
    }
    if (response.status === 200) {
      io.stdout(`${JSON.stringify(await response.json(), null, 2)}\n`);
      return 0;
    }
    if (response.status === 204) {
      if (Date.now() < deadline) continue;
      io.stderr(`jarsync: no cookie ${command.name} of ${command.domain} within ${command.timeoutSeconds} s\n`);
      return EXIT_WAIT_TIMEOUT;
    }
    const body = (await response.json().catch(() => ({}))) as { error?: string; code?: unknown };
    throw new JarsyncError(isErrorCode(body.code) ? body.code : 'JARSYNC_ERR_NOT_RUNNING', `jarsync's admin API answered ${response.status}: ${body.error ?? response.statusText}`);
  }
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  return cause instanceof Error ? cause.message : String(cause);
}
