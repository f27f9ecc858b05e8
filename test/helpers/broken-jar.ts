/** Jar files that cannot be read whole, made at `path` for the tests of what start and the store do with them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

/** Text where a database should be: a half-copied or overwritten jar. */
export function writeNotSqlite(path: string): void {
  writeFileSync(path, 'not a database at all, '.repeat(400));
}

/** A real SQLite file of some 400 KB with all but its first 100,000 bytes cut off. */
export function writeTruncatedSqlite(path: string): void {
  const db = new DatabaseSync(path);
  db.exec('CREATE TABLE filler (x TEXT)');
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  db.exec('BEGIN');
  for (let index = 0; index < 2000; index += 1) insert.run('x'.repeat(200));
  db.exec('COMMIT');
  db.close();
  writeFileSync(path, readFileSync(path).subarray(0, 100_000));
}
