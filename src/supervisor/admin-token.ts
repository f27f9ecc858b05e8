/**
 * The admin API's bearer token: made once per data dir and kept in a file
 * that only its owner can read, so that scripts on the same machine can use
 * the API (`curl -H "Authorization: Bearer $(cat ~/.jarsync/admin-token)"`)
 * and other users cannot.
 *
 *   <dataDir>/admin-token   32 random bytes, base64url, one line, mode 0600
 *
 * The token survives restarts: a script or dashboard set up once keeps working.
 * To revoke it, stop jarsync and delete the file; the next start makes a new one.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN_TOKEN_FILE } from '../data-dir.ts';
import { JarsyncError } from '../errors.ts';

/** 256 bits: far beyond guessing, even by a local process that can try thousands of times a second. */
const TOKEN_BYTES = 32;
const TOKEN_FILE_MODE = 0o600;
/** As the CA's data dir (src/tls/ca.ts): the owner's alone. */
const DATA_DIR_MODE = 0o700;
/**
 * What a token read from the file may look like: RFC 6750's b64token (the
 * characters an `Authorization: Bearer` value can carry), long enough that a
 * hand-written file cannot weaken the API to a guessable password.
 */
const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]{32,1024}=*$/;

export interface AdminToken {
  readonly token: string;
  /** The file it is kept in. */
  readonly path: string;
}

/**
 * Reads the token in `dataDir`, or creates it (and the data dir) when there is
 * none. A file readable by group or others is tightened to 0600; a file that
 * holds no usable token is refused (JARSYNC_ERR_BAD_OPTION) rather than
 * replaced, since another program may be using the token it expects there.
 */
export async function loadOrCreateAdminToken(dataDir: string): Promise<AdminToken> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    await mkdir(dataDir, { recursive: true, mode: DATA_DIR_MODE });
    const created = await createIfAbsent(path);
    if (created !== null) return { token: created, path };
    await tightenMode(path);
    return { token: parseToken(path, await readFile(path, 'utf8')), path };
  } catch (error) {
    if (error instanceof JarsyncError) throw error;
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `Cannot read or create the admin token ${path}: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Creates the token file unless one exists; returns the new token, or null
 * when the file was there already. The token is written to a temporary file
 * first and then hard-linked into place: link() fails when the name exists
 * (never overwriting, like `wx`), and a second jarsync starting at the same
 * moment never reads a file that exists but is still empty.
 */
async function createIfAbsent(path: string): Promise<string | null> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${token}\n`, { flag: 'wx', mode: TOKEN_FILE_MODE });
  try {
    // The umask may have removed bits from the mode; the file gets exactly 0600.
    await chmod(temporary, TOKEN_FILE_MODE);
    await link(temporary, path);
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

function parseToken(path: string, text: string): string {
  const token = text.trim();
  if (!TOKEN_SYNTAX.test(token)) {
    throw new JarsyncError(
      'JARSYNC_ERR_BAD_OPTION',
      `The admin token file ${path} does not hold a usable token (32 to 1024 characters of A-Z a-z 0-9 - . _ ~ + /). Delete it and jarsync makes a new one at its next start.`,
    );
  }
  return token;
}

/** Removes group and other permissions; never widens (a 0400 file stays 0400). */
async function tightenMode(path: string): Promise<void> {
  // Windows has no POSIX modes; its ACLs are the user profile's.
  if (process.platform === 'win32') return;
  const info = await stat(path);
  if (!info.isFile()) throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `The admin token ${path} is not a regular file.`);
  const mode = info.mode & 0o777;
  if ((mode & ~TOKEN_FILE_MODE) !== 0) await chmod(path, mode & TOKEN_FILE_MODE);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
