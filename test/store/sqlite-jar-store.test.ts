import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredCookie } from '../../src/store/jar-store.ts';
import { ReadJar } from '../../src/store/read-jar.ts';
import { SqliteJarStore } from '../../src/store/sqlite-jar-store.ts';
import { writeNotSqlite, writeTruncatedSqlite } from '../helpers/broken-jar.ts';

let dir: string;
const open: SqliteJarStore[] = [];

function openStore(path: string, options: { readOnly?: boolean } = {}): SqliteJarStore {
  const store = SqliteJarStore.open(path, options);
  open.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jarsync-sqlite-'));
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every attribute tough-cookie serializes, with values that are not its defaults. */
const FULL: StoredCookie = {
  origin: 'set-cookie',
  cookie: {
    key: 'sid',
    value: '"quoted value"=with=equals',
    expires: '2027-01-02T03:04:05.678Z',
    domain: 'example.com',
    path: '/app/deep',
    secure: true,
    httpOnly: true,
    extensions: ['Partitioned', 'Priority=High'],
    hostOnly: false,
    pathIsDefault: true,
    creation: '2026-01-01T00:00:00.001Z',
    lastAccessed: '2026-02-01T00:00:00.002Z',
    sameSite: 'strict',
  },
};

const FROM_REQUEST: StoredCookie = {
  origin: 'request',
  cookie: { key: 'thème', value: '☃ snow', domain: 'xn--bcher-kva.de', path: '/', hostOnly: true, creation: '2026-01-01T00:00:00.000Z' },
};

const SAME_NAME_OTHER_PATH: StoredCookie = {
  origin: 'set-cookie',
  cookie: { key: 'sid', value: 'root', domain: 'example.com', path: '/', hostOnly: false },
};

describe('SqliteJarStore', () => {
  it('round-trips every attribute and the origin', async () => {
    const path = join(dir, 'jar.db');
    const store = openStore(path);
    expect(await store.load()).toEqual([]);
    await store.commit({ upserts: [FULL, FROM_REQUEST, SAME_NAME_OTHER_PATH], deletes: [] });
    expect(await store.load()).toEqual([FULL, FROM_REQUEST, SAME_NAME_OTHER_PATH]);
  });

  it('replaces by (domain, path, name), deletes, and ignores deleting what is not there', async () => {
    const store = openStore(join(dir, 'jar.db'));
    await store.commit({ upserts: [FULL, SAME_NAME_OTHER_PATH], deletes: [] });
    const replaced: StoredCookie = { origin: 'request', cookie: { ...FULL.cookie, value: 'new' } };
    await store.commit({
      upserts: [replaced],
      deletes: [
        { domain: 'example.com', path: '/', name: 'sid' },
        { domain: 'nowhere.example', path: '/', name: 'x' },
      ],
    });
    expect(await store.load()).toEqual([replaced]);
  });

  it('updates existing rows and inserts new ones in one batch, loading new ones in the order they came', async () => {
    const store = openStore(join(dir, 'jar.db'));
    await store.commit({ upserts: [SAME_NAME_OTHER_PATH], deletes: [] });
    const zeta: StoredCookie = { origin: 'request', cookie: { key: 'z', value: '1', domain: 'zeta.example', path: '/' } };
    const alpha: StoredCookie = { origin: 'request', cookie: { key: 'a', value: '1', domain: 'alpha.example', path: '/' } };
    const updated: StoredCookie = { origin: 'set-cookie', cookie: { ...SAME_NAME_OTHER_PATH.cookie, value: 'changed' } };
    const alphaAgain: StoredCookie = { origin: 'set-cookie', cookie: { ...alpha.cookie, value: '2' } };
    // The same key twice in one batch: the later record wins, as it would row by row.
    await store.commit({ upserts: [zeta, updated, alpha, alphaAgain], deletes: [] });
    expect(await store.load()).toEqual([updated, zeta, alphaAgain]);
  });

  it('applies a batch all or nothing', async () => {
    const store = openStore(join(dir, 'jar.db'));
    await store.commit({ upserts: [SAME_NAME_OTHER_PATH], deletes: [] });
    const unkeyed = { origin: 'set-cookie', cookie: { key: 'no-domain', value: '1' } } as const;
    await expect(
      store.commit({ upserts: [FROM_REQUEST, unkeyed], deletes: [{ domain: 'example.com', path: '/', name: 'sid' }] }),
    ).rejects.toMatchObject({ code: 'JARSYNC_ERR_STORE' });
    expect(await store.load()).toEqual([SAME_NAME_OTHER_PATH]);
  });

  it('keeps what it committed across close and reopen', async () => {
    const path = join(dir, 'jar.db');
    const first = SqliteJarStore.open(path);
    await first.commit({ upserts: [FULL, FROM_REQUEST], deletes: [] });
    await first.close();
    await first.close(); // twice is harmless
    await expect(first.load()).rejects.toMatchObject({ code: 'JARSYNC_ERR_STORE' });
    // A clean close checkpoints the WAL into the database file.
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(await openStore(path).load()).toEqual([FULL, FROM_REQUEST]);
    expect(await openStore(path, { readOnly: true }).load()).toEqual([FULL, FROM_REQUEST]);
  });

  it('keeps a change the jar actor committed when its process is killed with SIGKILL', async () => {
    const path = join(dir, 'jar.db');
    const script = join(dir, 'writer.mts');
    writeFileSync(
      script,
      `
      import { SqliteJarStore } from ${JSON.stringify(new URL('../../src/store/sqlite-jar-store.ts', import.meta.url).href)};
      import { JarActor } from ${JSON.stringify(new URL('../../src/actors/jar-actor.ts', import.meta.url).href)};
      const actor = JarActor.open({ store: SqliteJarStore.open(process.env.JAR_PATH), flushIntervalMs: 50 });
      const tell = (header) => actor.tell({ source: 'response', scheme: 'https', host: 'www.example.com', port: 443,
        url: 'https://www.example.com/', header, client: '127.0.0.1:1', at: Date.now() });
      for (let index = 0; index < 100; index += 1) tell('c' + index + '=v' + index + '; Max-Age=3600');
      tell('session=1; HttpOnly; Secure; Path=/');
      // Wait past the flush interval until everything told is committed.
      for (;;) {
        const { mailbox, store } = actor.stats();
        if (mailbox.size === 0 && store.commits > 0 && store.pendingWrites === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      process.stdout.write('committed\\n');
      setInterval(() => {}, 60_000); // stay alive until killed
      `,
    );
    const child = spawn(process.execPath, [script], { env: { ...process.env, JAR_PATH: path }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => {
      child.on('exit', (_code, signal) => {
        resolve(signal);
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('committed')) resolve();
        });
        void exited.then(() => {
          reject(new Error(`the writer exited before committing: ${stderr}`));
        });
        setTimeout(() => {
          reject(new Error(`the writer did not commit within 15 s: ${stderr}`));
        }, 15_000).unref();
      });
    } finally {
      // Whatever happened above, the writer dies here, the way the test means it to.
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    // Killed, not closed: the commits are in the WAL, not yet checkpointed into the file.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    const records = await openStore(path).load();
    expect(records).toHaveLength(101);
    expect(records.find((record) => record.cookie.key === 'c99')?.cookie).toMatchObject({ value: 'v99', domain: 'www.example.com' });
    expect(records.find((record) => record.cookie.key === 'session')?.cookie).toMatchObject({ httpOnly: true, secure: true });
  });

  it.each([
    {
      what: 'a file that is not SQLite',
      make: writeNotSqlite,
    },
    {
      what: 'a truncated jar',
      make: writeTruncatedSqlite,
    },
    {
      what: 'another program’s database',
      make: (path: string) => {
        const db = new DatabaseSync(path);
        db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
        db.close();
      },
    },
    {
      what: 'a jar from a newer jarsync',
      make: (path: string) => {
        const db = new DatabaseSync(path);
        db.exec('CREATE TABLE jarsync_schema (version INTEGER NOT NULL); INSERT INTO jarsync_schema VALUES (2)');
        db.close();
      },
    },
  ])('refuses $what with JARSYNC_ERR_STORE, naming the file and the way out, and leaves it untouched', ({ make }) => {
    const path = join(dir, 'jar.db');
    make(path);
    const before = readFileSync(path);
    for (const readOnly of [false, true]) {
      let thrown: unknown;
      try {
        SqliteJarStore.open(path, { readOnly });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'JARSYNC_ERR_STORE' });
      expect((thrown as Error).message).toContain(path);
      expect((thrown as Error).message).toContain('move the file away');
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses to open for reading a jar that does not exist, and does not create it', () => {
    const path = join(dir, 'missing.db');
    expect(() => SqliteJarStore.open(path, { readOnly: true })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_STORE' }) as Error);
    expect(existsSync(path)).toBe(false);
  });

  it('opens read-only while a writer has the jar open, sees its commits, and cannot write', async () => {
    const path = join(dir, 'jar.db');
    const writer = openStore(path);
    await writer.commit({ upserts: [FULL], deletes: [] });
    const reader = openStore(path, { readOnly: true });
    expect(await reader.load()).toEqual([FULL]);
    await writer.commit({ upserts: [FROM_REQUEST], deletes: [{ domain: 'example.com', path: '/app/deep', name: 'sid' }] });
    expect(await reader.load()).toEqual([FROM_REQUEST]);
    await expect(reader.commit({ upserts: [FULL], deletes: [] })).rejects.toMatchObject({ code: 'JARSYNC_ERR_STORE' });
    await writer.commit({ upserts: [SAME_NAME_OTHER_PATH], deletes: [] });
    expect(await writer.load()).toEqual([FROM_REQUEST, SAME_NAME_OTHER_PATH]);
  });

  it('serves ReadJar, which answers queries from the records without the expired ones', async () => {
    const path = join(dir, 'jar.db');
    const writer = openStore(path);
    const expired: StoredCookie = { origin: 'set-cookie', cookie: { key: 'old', value: '1', domain: 'example.com', path: '/', hostOnly: false, expires: '2000-01-01T00:00:00.000Z' } };
    await writer.commit({ upserts: [FULL, SAME_NAME_OTHER_PATH, expired], deletes: [] });
    const jar = await ReadJar.open(openStore(path, { readOnly: true }), { now: () => Date.parse('2026-06-01T00:00:00Z') });
    expect(jar.size).toBe(2);
    expect(await jar.cookieHeader('https://www.example.com/app/deep/page')).toBe('sid="quoted value"=with=equals; sid=root');
    expect(await jar.cookieHeader('http://www.example.com/app/deep/page')).toBe('sid=root');
    // In creation order; a record without a creation time counts as oldest.
    expect((await jar.cookies({ domain: 'example.com' })).map((cookie) => cookie.value)).toEqual(['root', '"quoted value"=with=equals']);
    await expect(jar.cookies({ url: 'example.com' })).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_URL' });
    // Past FULL's expiry the same view no longer answers with it.
    const later = await ReadJar.open(openStore(path, { readOnly: true }), { now: () => Date.parse('2027-06-01T00:00:00Z') });
    expect(await later.cookieHeader('https://www.example.com/app/deep/page')).toBe('sid=root');
  });
});
