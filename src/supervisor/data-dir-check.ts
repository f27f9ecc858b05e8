/**
 * The data dir's secrets, checked at every start: the dir is its owner's alone
 * (0700) and each secret in it is a file only its owner can read (0600).
 *
 *   <data-dir>/          0700   a looser mode is tightened, with a warning
 *     ca-key.pem         0600   the CA key: whoever reads it can impersonate every site to every device that trusts the CA
 *     admin-token        0600   the admin API's bearer token: every cookie of the jar
 *     jar.sqlite(-wal, -shm)  0600   the cookies themselves
 *     interceptor-tokens 0600   digests of the extension's scoped tokens: whoever writes one in may send cookies
 *
 *   owned by another user ──▶ refused (JARSYNC_ERR_BAD_OPTION): jarsync cannot make it private,
 *                             and that user can read or replace what is in it
 *   too loose ──▶ tightened (never widened), one warning per path through `log`
 *   cannot be tightened (read-only file system, …) ──▶ refused
 *
 * A looser mode usually means the dir was copied or restored by a tool that
 * did not keep modes, or made by hand; either way the secrets may have been
 * readable by others for a while, which is what the warning tells the user.
 * (ca.pem is public, meant to be copied to devices, and is not checked.)
 */
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN_TOKEN_FILE, JAR_FILE } from '../data-dir.ts';
import { JarsyncError } from '../errors.ts';
import { CA_KEY_FILE } from '../tls/ca.ts';
import { INTERCEPTOR_TOKENS_FILE } from '../interceptor/interceptor-pairing.ts';

export const DATA_DIR_MODE = 0o700;
export const SECRET_FILE_MODE = 0o600;

/** The secrets in a data dir, by file name; SQLite's WAL and shared-memory files hold cookies too. */
export const SECRET_FILES: readonly string[] = [CA_KEY_FILE, ADMIN_TOKEN_FILE, JAR_FILE, `${JAR_FILE}-wal`, `${JAR_FILE}-shm`, INTERCEPTOR_TOKENS_FILE];

export interface DataDirCheckOptions {
  /** Where each tightened mode is reported, as a `warn`. */
  readonly log: (level: 'warn', message: string) => void;
  /** The user the dir and its secrets must belong to. Defaults to the process's user (`process.getuid()`). */
  readonly uid?: number;
}

/** What the check found and did. */
export interface DataDirCheck {
  /** Paths whose mode was tightened. */
  readonly tightened: readonly string[];
}

/**
 * Checks (and where it can, fixes) the modes and owners of `dataDir` and the
 * secrets in it. The dir must exist. Throws `JARSYNC_ERR_BAD_OPTION` naming
 * the path and what to do when the dir or a secret belongs to another user, is
 * not a directory or a regular file, or cannot be tightened. On Windows, which
 * has no POSIX modes (the user profile's ACLs apply), it checks nothing.
 */
export async function checkDataDir(dataDir: string, options: DataDirCheckOptions): Promise<DataDirCheck> {
  if (process.platform === 'win32') return { tightened: [] };
  const uid = options.uid ?? process.getuid?.() ?? -1;
  const tightened: string[] = [];
  const check = async (path: string, kind: 'dir' | 'file', allowed: number): Promise<void> => {
    // stat, not lstat: a data dir reached through a link (~/.jarsync on another disk) is checked where it is.
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      if (kind === 'file' && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw refusal(`Cannot check ${path}: ${messageOf(error)}`, error);
    }
    if (kind === 'dir' ? !info.isDirectory() : !info.isFile()) {
      throw refusal(`${path} is not a ${kind === 'dir' ? 'directory' : 'regular file'}; jarsync keeps its secrets only in a data dir of its own.`);
    }
    if (uid >= 0 && info.uid !== uid) {
      throw refusal(
        `${path} belongs to user ${info.uid}, not to the user jarsync runs as (${uid}): that user can read or replace jarsync's secrets. ` +
          `Use a data dir of your own (--data-dir), or give this one to jarsync's user (chown -R).`,
      );
    }
    const mode = info.mode & 0o777;
    if ((mode & ~allowed) === 0) return;
    try {
      await chmod(path, mode & allowed);
    } catch (error) {
      throw refusal(`${path} has mode ${octal(mode)}, readable by others, and cannot be changed to ${octal(mode & allowed)}: ${messageOf(error)}. Fix its mode, or use another data dir.`, error);
    }
    tightened.push(path);
    options.log(
      'warn',
      `${path} had mode ${octal(mode)} (${kind === 'dir' ? 'open to' : 'readable by'} other users); changed it to ${octal(mode & allowed)}. ` +
        `If others could use this machine meanwhile, consider the secrets in the data dir exposed.`,
    );
  };
  await check(dataDir, 'dir', DATA_DIR_MODE);
  for (const name of SECRET_FILES) await check(join(dataDir, name), 'file', SECRET_FILE_MODE);
  return { tightened };
}

function refusal(message: string, cause?: unknown): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_BAD_OPTION', `data dir: ${message}`, cause === undefined ? undefined : { cause });
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
