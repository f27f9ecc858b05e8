/**
 * A jar that cannot be read whole stops `jarsync start`: exit 1, a message
 * that names the file and says how to recover, and the file left exactly as
 * it was (no WAL, no rewrite), so that nothing in it is lost to a jarsync
 * that started anyway on an empty jar and then wrote over it.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJarStore } from '../../src/store/sqlite-jar-store.ts';
import { finished, spawnCli, waitForOutput, type CliResult } from '../cli/cli-process.ts';
import { writeNotSqlite, writeTruncatedSqlite } from '../helpers/broken-jar.ts';

/** What a secret value looks like in these tests: it must appear in no output. */
const SECRET = 'S3CRET-value-0b9f2c';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'jarsync-corrupt-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `jarsync start` on the data dir; a start that does not fail within the bound is stopped and reported as such. */
async function start(): Promise<CliResult> {
  const child = spawnCli(['start', '--port', '0', '--admin-port', '0', '--workers', '1', '--data-dir', dataDir, '--domain', 'example.com']);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    return await finished(child);
  } finally {
    clearTimeout(timer);
  }
}

const jarFile = (): string => join(dataDir, 'jar.sqlite');

interface BrokenJar {
  readonly what: string;
  readonly make: (path: string) => void | Promise<void>;
}

describe('jarsync start on a jar it cannot read', () => {
  it.each<BrokenJar>([
    {
      what: 'a file that is not SQLite (a half-copied or overwritten jar)',
      make: writeNotSqlite,
    },
    {
      what: 'a jar with pages cut off',
      make: writeTruncatedSqlite,
    },
    {
      what: 'a jar with a row jarsync cannot read',
      make: async (path: string) => {
        const store = SqliteJarStore.open(path);
        await store.commit({ upserts: [{ origin: 'set-cookie', cookie: { key: 'good', value: '1', domain: 'example.com', path: '/' } }], deletes: [] });
        await store.close();
        const db = new DatabaseSync(path);
        db.prepare("INSERT INTO cookies (domain, path, name, origin, expires_at, cookie) VALUES ('example.com', '/', 'sid', 'set-cookie', NULL, ?)").run(`{"key":"sid","value":"${SECRET}"`);
        db.close();
      },
    },
  ])('refuses $what: exit 1, the file and the way out named, the file untouched', async ({ make }) => {
    await make(jarFile());
    const before = readFileSync(jarFile());
    const filesBefore = readdirSync(dataDir).filter((name) => name.startsWith('jar.sqlite'));

    const result = await start();

    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(jarFile());
    // How to recover: move it away (and its -wal and -shm), or rescue it with the sqlite3 shell.
    expect(result.stderr).toContain(`mv '${jarFile()}' '${jarFile()}.broken'`);
    expect(result.stderr).toContain('.recover');
    expect(result.stderr).not.toContain(SECRET);
    expect(readFileSync(jarFile()).equals(before)).toBe(true);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('jar.sqlite'))).toEqual(filesBefore);
  });

  it('starts once the broken jar is moved away, as the message says, and leaves the moved file alone', async () => {
    writeFileSync(jarFile(), 'not a database at all, '.repeat(400));
    expect((await start()).code).toBe(1);
    renameSync(jarFile(), `${jarFile()}.broken`);
    const moved = readFileSync(`${jarFile()}.broken`);

    const child = spawnCli(['start', '--port', '0', '--admin-port', '0', '--workers', '1', '--data-dir', dataDir]);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      const exited = finished(child);
      await waitForOutput(child, /^domains: .*$/m);
      child.kill('SIGTERM');
      expect((await exited).code).toBe(0);
    } finally {
      clearTimeout(timer);
    }
    expect(readFileSync(`${jarFile()}.broken`).equals(moved)).toBe(true);
  });
});
