/**
 * The jar file made private before SQLite first opens it. SQLite creates a
 * database file readable by all (0644 less the umask), and gives the -wal and
 * -shm files it makes next to it the main file's mode; a jar holds cookies, so
 * all three must be the owner's alone (0600), as the data dir's other secrets
 * are (supervisor/data-dir-check.ts).
 */
import { closeSync, fchmodSync, openSync } from 'node:fs';

/** The jar's files: cookies are secrets. */
export const JAR_FILE_MODE = 0o600;

/**
 * Creates `path` empty, with mode 0600 whatever the umask, unless it exists
 * (then it is left as it is: its mode is checked at start). SQLite takes an
 * empty file for an empty database.
 */
export function createPrivateFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', JAR_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    // The umask may have removed bits from the mode given to open(); the file gets exactly 0600.
    fchmodSync(fd, JAR_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}
