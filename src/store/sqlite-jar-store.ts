import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { JarsyncError } from '../errors.ts';
import { createPrivateFile } from './create-private-file.ts';
import type { CookieKey, JarCommit, JarStore, SerializedCookie, StoredCookie } from './jar-store.ts';

/**
 * The jar on disk: one SQLite file (`node:sqlite`, no native addon) in WAL
 * mode, written by the jar actor in batched transactions and read, possibly at
 * the same time, by `jarsync cookies`.
 *
 * Schema (version 1):
 *
 *   jarsync_schema(version)                       one row
 *   cookies(domain, path, name,                   PRIMARY KEY: a cookie's RFC 6265 identity
 *           origin,                               'set-cookie' | 'request'
 *           expires_at,                           ms since the epoch, NULL for a session cookie
 *           cookie)                               tough-cookie's JSON form, every attribute
 *
 * The attributes stay in one JSON column so that what tough-cookie knows
 * survives a round trip unchanged; the key and expiry are columns so that
 * SQL (and a person with the sqlite3 shell) can find and prune rows.
 *
 * `node:sqlite` is synchronous: a commit holds the event loop for its whole
 * transaction, about 5 to 15 µs per changed cookie without an fsync on a
 * 2-core machine (more when the keys are scattered over a large jar, or the
 * commit crosses SQLite's automatic WAL checkpoint; bench/cookie-path.ts
 * measures it). The actor's batches hold each changed cookie once, however
 * often it changed, so a batch is bounded by the size of the jar.
 *
 * Faults: a commit that fails (a full or failing disk, a file made read-only,
 * another program holding the write lock) rejects with SQLite's own words in
 * the message and leaves the file as it was; the jar actor keeps the changes
 * and retries. A file that is corrupt or not a jar is refused at open, before
 * a byte is written to it, and its rows are all read and checked there too,
 * so a jar that cannot be read whole stops jarsync at start rather than
 * letting it run on an empty jar.
 */

/** The schema this code writes and reads; a newer file is refused rather than guessed at. */
export const SCHEMA_VERSION = 1;

export interface SqliteJarStoreOptions {
  /**
   * Open for reading only, as `jarsync cookies` does while the proxy may be
   * writing: WAL lets one writer and many readers share the file, and a
   * read-only store can never take the write lock. `commit` rejects. The file
   * must exist. Defaults to false.
   */
  readonly readOnly?: boolean;
  /**
   * How long a statement waits for another connection's lock before failing
   * with `SQLITE_BUSY`. Defaults to 250 ms for a writer and 5000 ms for a
   * reader (see the constants).
   */
  readonly busyTimeoutMs?: number;
}

/**
 * `node:sqlite` waits for a lock synchronously, holding the event loop: in the
 * supervisor that stalls the admin API, the certificate service and the
 * workers' control calls for as long as the wait. A writer only meets a lock
 * held by another writer (a second jarsync on the same data dir, a sqlite3
 * shell), and the jar actor keeps a failed commit's changes and retries it with
 * backoff, so the writer gives up soon and lets the retry wait instead.
 */
const DEFAULT_WRITER_BUSY_TIMEOUT_MS = 250;
/** A reader (`jarsync cookies`) has nothing else to do while it waits. */
const DEFAULT_READER_BUSY_TIMEOUT_MS = 5000;

export class SqliteJarStore implements JarStore {
  readonly path: string;
  readonly readOnly: boolean;
  readonly #db: DatabaseSync;
  readonly #selectAll: StatementSync;
  readonly #upsert: StatementSync | null;
  readonly #update: StatementSync | null;
  readonly #delete: StatementSync | null;
  #closed = false;
  /**
   * A writer's records as read (and checked) at open, handed to the first
   * load() so the jar is read once at start; forgotten at the first commit.
   */
  #opened: readonly StoredCookie[] | null;

  private constructor(path: string, readOnly: boolean, db: DatabaseSync) {
    this.path = path;
    this.readOnly = readOnly;
    this.#db = db;
    this.#selectAll = db.prepare('SELECT domain, path, name, origin, cookie FROM cookies ORDER BY rowid');
    this.#opened = null;
    this.#upsert = readOnly
      ? null
      : db.prepare(
          `INSERT INTO cookies (domain, path, name, origin, expires_at, cookie) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (domain, path, name) DO UPDATE SET origin = excluded.origin, expires_at = excluded.expires_at, cookie = excluded.cookie`,
        );
    this.#update = readOnly
      ? null
      : db.prepare('UPDATE cookies SET origin = ?, expires_at = ?, cookie = ? WHERE domain = ? AND path = ? AND name = ?');
    this.#delete = readOnly ? null : db.prepare('DELETE FROM cookies WHERE domain = ? AND path = ? AND name = ?');
  }

  /**
   * Opens (and, for writing, creates) the jar at `path`. Throws
   * `JARSYNC_ERR_STORE` when the file cannot be opened, is not a jarsync jar,
   * fails SQLite's integrity check or was written by a newer jarsync; the
   * message names the file and how to recover. The file is never modified or
   * replaced in that case: what is in it stays there for a person to rescue.
   * For writing, every row is read and checked here too (and kept for the first
   * `load()`), so a row jarsync cannot read is refused in the same way, before
   * the proxy starts. A new jar file is created with mode 0600.
   */
  static open(path: string, options: SqliteJarStoreOptions = {}): SqliteJarStore {
    const readOnly = options.readOnly ?? false;
    const busyTimeoutMs = options.busyTimeoutMs ?? (readOnly ? DEFAULT_READER_BUSY_TIMEOUT_MS : DEFAULT_WRITER_BUSY_TIMEOUT_MS);
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `busyTimeoutMs must be a non-negative integer, got ${String(busyTimeoutMs)}.`);
    }
    let db: DatabaseSync;
    try {
      if (!readOnly) createPrivateFile(path);
      db = new DatabaseSync(path, { readOnly, timeout: busyTimeoutMs });
    } catch (error) {
      throw storeError(path, readOnly ? 'cannot be opened for reading (does it exist? has the proxy run with this data dir?)' : 'cannot be opened or created', error, false);
    }
    try {
      // Everything that only reads comes first: a file that is corrupt or belongs
      // to another program is refused before jarsync writes a byte to it.
      checkIntegrity(db);
      if (readOnly) {
        checkSchema(db);
      } else {
        checkWritable(db);
        // WAL: readers (`jarsync cookies`) never block the writer, and a commit is
        // one append to the -wal file instead of a rewrite of the pages it touches.
        const mode = db.prepare('PRAGMA journal_mode = WAL').get();
        if (mode?.['journal_mode'] !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is ${String(mode?.['journal_mode'])})`);
        // NORMAL is enough for what jarsync promises, that a committed change
        // survives kill -9: once COMMIT returns, the transaction is in the -wal file,
        // that is in the OS page cache, which outlives the process. In SQLite's words,
        // "Transactions are durable across application crashes regardless of the
        // synchronous setting or journal mode." What NORMAL gives up is the last
        // commits before a power loss or OS crash ("A transaction committed in WAL
        // mode with synchronous=NORMAL might roll back following a power loss or
        // system crash"), in exchange for no fsync per commit.
        db.exec('PRAGMA synchronous = NORMAL');
        migrate(db);
      }
      const store = new SqliteJarStore(path, readOnly, db);
      // A reader loads at once anyway (and a load that fails says the same).
      if (!readOnly) store.#opened = store.#readAll();
      return store;
    } catch (error) {
      db.close();
      if (error instanceof JarsyncError) throw error;
      throw storeError(path, 'is not a readable jarsync jar (corrupt, or not an SQLite database)', error, true);
    }
  }

  load(): Promise<readonly StoredCookie[]> {
    try {
      this.#requireOpen();
      const opened = this.#opened;
      this.#opened = null;
      return Promise.resolve(opened ?? this.#readAll());
    } catch (error) {
      return Promise.reject(asStoreError(this.path, 'could not be read', error, recovery(this.path)));
    }
  }

  #readAll(): StoredCookie[] {
    const records: StoredCookie[] = [];
    for (const row of this.#selectAll.all()) records.push(parseRow(this.path, row));
    return records;
  }

  commit(batch: JarCommit): Promise<void> {
    try {
      this.#requireOpen();
      if (this.#upsert === null || this.#update === null || this.#delete === null) {
        throw new JarsyncError('JARSYNC_ERR_STORE', `The jar database at ${this.path} is open read-only; it cannot be written.`);
      }
      this.#opened = null;
      if (batch.upserts.length === 0 && batch.deletes.length === 0) return Promise.resolve();
      // Every record is checked before anything is written.
      const rows = batch.upserts.map((record) => ({ key: requireKey(record.cookie), record }));
      // Existing rows are updated in key order: the updates then walk the
      // primary-key B-tree from one page to the next instead of jumping across
      // it (measured: a quarter less time for batches of 1,000 cookies of as
      // many hosts in a 10,000-row jar). Rows that do not exist yet are
      // inserted in the batch's own order, so that rowid order, the order
      // load() returns, stays the order of arrival.
      const byKey = rows.map((_row, index) => index).sort((a, b) => compareKeys(rows[a]?.key, rows[b]?.key));
      // IMMEDIATE takes the write lock up front, so a second writer waits
      // (busy timeout) at BEGIN instead of failing halfway through the batch.
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        for (const key of batch.deletes) this.#delete.run(key.domain, key.path, key.name);
        const json = rows.map(({ record }) => JSON.stringify(record.cookie));
        const missing: number[] = [];
        for (const index of byKey) {
          const row = rows[index];
          if (row === undefined) continue;
          const { key, record } = row;
          const updated = this.#update.run(record.origin, expiresAt(record.cookie), json[index] ?? '', key.domain, key.path, key.name);
          if (Number(updated.changes) === 0) missing.push(index);
        }
        missing.sort((a, b) => a - b);
        for (const index of missing) {
          const row = rows[index];
          if (row === undefined) continue;
          const { key, record } = row;
          // An upsert, not a plain insert: a batch may hold the same key twice, and the later one wins.
          this.#upsert.run(key.domain, key.path, key.name, record.origin, expiresAt(record.cookie), json[index] ?? '');
        }
        this.#db.exec('COMMIT');
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(asStoreError(this.path, 'could not be written', error, WRITE_ADVICE));
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#opened = null;
      // The last connection to close checkpoints the WAL into the main file.
      this.#db.close();
    }
    return Promise.resolve();
  }

  #requireOpen(): void {
    if (this.#closed) throw new JarsyncError('JARSYNC_ERR_STORE', `The jar database at ${this.path} is closed.`);
  }
}

function checkIntegrity(db: DatabaseSync): void {
  // quick_check reads every page once (milliseconds for a jar of cookies) and
  // finds what a bad disk or a half-copied file leaves behind, so that a broken
  // jar is reported at start and not as a failed commit later.
  const rows = db.prepare('PRAGMA quick_check').all();
  const problems = rows.map((row) => String(row['quick_check'])).filter((text) => text !== 'ok');
  if (problems.length > 0) throw new Error(`integrity check failed: ${problems.slice(0, 3).join('; ')}`);
}

function migrate(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS jarsync_schema (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM jarsync_schema').get();
    if (row === undefined) {
      db.exec(`
        CREATE TABLE cookies (
          domain TEXT NOT NULL,
          path TEXT NOT NULL,
          name TEXT NOT NULL,
          origin TEXT NOT NULL CHECK (origin IN ('set-cookie', 'request')),
          expires_at INTEGER,
          cookie TEXT NOT NULL,
          PRIMARY KEY (domain, path, name)
        )`);
      db.prepare('INSERT INTO jarsync_schema (version) VALUES (?)').run(SCHEMA_VERSION);
    } else {
      requireKnownVersion(row['version']);
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Refuses, before anything is written, a file jarsync must not write to: an
 * SQLite file with tables but none of ours (some other program's database),
 * or a jar whose schema this jarsync does not know.
 */
function checkWritable(db: DatabaseSync): void {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((table) => String(table['name']));
  if (tables.length === 0) return;
  if (!tables.includes('jarsync_schema')) {
    throw new Error(`it has tables (${tables.slice(0, 5).join(', ')}) but no jarsync_schema: this SQLite file is not a jarsync jar`);
  }
  checkSchema(db);
}

function checkSchema(db: DatabaseSync): void {
  const table = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'jarsync_schema'").get();
  if (table === undefined) throw new Error('no jarsync_schema table: this SQLite file is not a jarsync jar');
  requireKnownVersion(db.prepare('SELECT version FROM jarsync_schema').get()?.['version']);
}

function requireKnownVersion(version: unknown): void {
  if (version !== SCHEMA_VERSION) {
    throw new Error(`schema version ${String(version)} is not ${SCHEMA_VERSION}, the one this jarsync reads (written by a newer jarsync?)`);
  }
}

/**
 * One row as a record. A row that cannot be read is named by its key, never
 * by its content: the cookie column holds the value, a secret that must not
 * reach a log or a terminal through an error message.
 */
function parseRow(path: string, row: Readonly<Record<string, unknown>>): StoredCookie {
  const { origin, cookie: json } = row;
  const where = `the row ${JSON.stringify([row['domain'], row['path'], row['name']])} (domain, path, name)`;
  if (origin !== 'set-cookie' && origin !== 'request') throw badRow(path, `${where} has the unknown origin ${JSON.stringify(String(origin)).slice(0, 40)}`);
  if (typeof json !== 'string') throw badRow(path, `the cookie column of ${where} is not text`);
  let cookie: unknown;
  try {
    cookie = JSON.parse(json);
  } catch {
    // JSON.parse's message quotes the text around the error: the value, possibly.
    throw badRow(path, `the cookie column of ${where} is not JSON`);
  }
  if (!isSerializedCookie(cookie)) throw badRow(path, `the cookie column of ${where} is not a cookie (it needs key, value, domain and path)`);
  return { cookie, origin };
}

function isSerializedCookie(value: unknown): value is SerializedCookie {
  if (typeof value !== 'object' || value === null) return false;
  const { key, value: cookieValue, domain, path } = value as Record<string, unknown>;
  return typeof key === 'string' && typeof cookieValue === 'string' && typeof domain === 'string' && typeof path === 'string';
}

function requireKey(cookie: SerializedCookie): CookieKey {
  if (cookie.domain === undefined || cookie.path === undefined) {
    throw new JarsyncError('JARSYNC_ERR_STORE', `The record of the cookie ${JSON.stringify(cookie.key)} has no domain or path and cannot be stored.`);
  }
  return { domain: cookie.domain, path: cookie.path, name: cookie.key };
}

/** Orders keys by domain, then path, then name: the primary key's order (for ASCII, which host names are). */
function compareKeys(a: CookieKey | undefined, b: CookieKey | undefined): number {
  if (a === undefined || b === undefined) return 0;
  if (a.domain !== b.domain) return a.domain < b.domain ? -1 : 1;
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

function expiresAt(cookie: SerializedCookie): number | null {
  if (cookie.expires === undefined) return null;
  const time = Date.parse(cookie.expires);
  return Number.isNaN(time) ? null : time;
}

function badRow(path: string, problem: string): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_STORE', `The jar database at ${path} holds a row jarsync cannot read: ${problem}. ${recovery(path)}`);
}

function storeError(path: string, problem: string, cause: unknown, fileExists: boolean): JarsyncError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const advice = fileExists
    ? recovery(path)
    : 'Check that the directory exists and that jarsync may read and write it.';
  return new JarsyncError('JARSYNC_ERR_STORE', `The jar database at ${path} ${problem}: ${reason}. ${advice}`, { cause });
}

/**
 * A failed read or write, with SQLite's own words (`database or disk is full`,
 * `database is locked`, `attempt to write a readonly database`) kept in the
 * message: they say what to fix.
 */
function asStoreError(path: string, problem: string, error: unknown, advice: string): JarsyncError {
  if (error instanceof JarsyncError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new JarsyncError('JARSYNC_ERR_STORE', `The jar database at ${path} ${problem}: ${reason}. ${advice}`, { cause: error });
}

/** What a failed commit leaves to do: nothing is lost while jarsync runs. */
const WRITE_ADVICE =
  'jarsync keeps the changes in memory and retries; free disk space, make the file and its directory writable, or stop the other program that holds the database.';


function recovery(path: string): string {
  return `jarsync leaves the file as it is. To start with an empty jar, stop jarsync and move the file away (mv '${path}' '${path}.broken', and its -wal and -shm files with it); to keep the cookies, restore it from a backup or try the sqlite3 shell's .recover.`;
}
