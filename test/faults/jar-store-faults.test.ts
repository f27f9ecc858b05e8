/**
 * A jar store that fails at run time: the jar keeps serving from memory, the
 * failure (in SQLite's own words) shows on the jar's stats and on
 * /api/status, and the changes are committed once the store works again.
 *
 * The faults are real SQLite errors on real files. Making the file or its
 * directory read-only would not do here: the tests run as root, whom file
 * modes do not stop. So:
 * - a full disk: SQLITE_FULL as SQLite raises it (a database capped with
 *   max_page_count), thrown by a real SqliteJarStore's commit;
 * - a store that cannot write: another connection holds the jar's write lock
 *   (a second program on the same file), through a whole running supervisor.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JarStats } from '../../src/actors/cookie-change.ts';
import { JarActor } from '../../src/actors/jar-actor.ts';
import type { CookieEvent } from '../../src/cookie-event.ts';
import type { JarCommit, JarStore } from '../../src/store/jar-store.ts';
import { SqliteJarStore } from '../../src/store/sqlite-jar-store.ts';
import type { SupervisorStatus } from '../../src/supervisor/supervisor-api.ts';
import { getThroughProxy } from '../admin/admin-harness.ts';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startSupervisor, type RunningSupervisor } from '../helpers/supervisor.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jarsync-faults-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error SQLite raises when a write needs a page the disk (here: the page cap) does not have. */
function diskFullError(): Error {
  const db = new DatabaseSync(':memory:');
  try {
    db.exec('CREATE TABLE filler (data BLOB)');
    db.prepare('PRAGMA max_page_count = 3').get();
    db.prepare('INSERT INTO filler VALUES (?)').run(Buffer.alloc(64 * 1024));
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  } finally {
    db.close();
  }
  throw new Error('SQLite stored 64 KB in 3 pages');
}

function setCookie(line: string): CookieEvent {
  return { source: 'response', scheme: 'https', host: 'www.example.com', port: 443, url: 'https://www.example.com/', header: line, client: '127.0.0.1:1', at: Date.now() };
}

async function storedValues(path: string): Promise<string[]> {
  const reader = SqliteJarStore.open(path, { readOnly: true });
  try {
    return (await reader.load()).map((record) => `${record.cookie.key}=${record.cookie.value}`).sort();
  } finally {
    await reader.close();
  }
}

describe('a full disk under the jar actor', () => {
  it('keeps serving from memory, reports SQLITE_FULL, and commits the waiting changes once there is room', async () => {
    const path = join(dir, 'jar.sqlite');
    const file = SqliteJarStore.open(path);
    let full = false;
    const disk: JarStore = {
      load: () => file.load(),
      close: () => file.close(),
      commit: (batch: JarCommit) => (full ? Promise.reject(diskFullError()) : file.commit(batch)),
    };
    const errors: string[] = [];
    const actor = JarActor.open({ store: disk, flushIntervalMs: 10, onStoreError: (error) => errors.push(error.code) });
    try {
      actor.tell(setCookie('before=1; Max-Age=3600'));
      await actor.flush();
      expect(await storedValues(path)).toEqual(['before=1']);

      full = true;
      actor.tell(setCookie('during=2; Max-Age=3600'));
      actor.tell(setCookie('before=changed; Max-Age=3600'));
      await expect.poll(() => actor.stats().store.errors, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      const failing: JarStats['store'] = actor.stats().store;
      expect(failing.lastError).toContain('database or disk is full');
      expect(failing.failingSince).toBeTypeOf('number');
      expect(failing.lastErrorAt).toBeGreaterThanOrEqual(failing.failingSince ?? Infinity);
      expect(failing.pendingWrites).toBe(2);
      expect(errors.every((code) => code === 'JARSYNC_ERR_STORE')).toBe(true);
      // Memory serves the latest values; the disk still has the old ones.
      expect(await actor.cookieHeader('https://www.example.com/')).toBe('before=changed; during=2');
      expect(await storedValues(path)).toEqual(['before=1']);

      full = false;
      await expect.poll(() => actor.stats().store.pendingWrites, { timeout: 10_000 }).toBe(0);
      expect(actor.stats().store.failingSince).toBeNull();
      expect(await storedValues(path)).toEqual(['before=changed', 'during=2']);
    } finally {
      await actor.close();
    }
  });
});

describe('a jar another program holds locked, under a running jarsync', () => {
  let origin: Origin;
  let running: RunningSupervisor;
  let blocker: DatabaseSync | null = null;

  beforeEach(async () => {
    origin = await startOrigin((req, res) => {
      const query = new URL(req.url ?? '/', 'http://origin.test').searchParams;
      const name = query.get('set') ?? 'x';
      const value = query.get('value') ?? '1';
      // With ?value=, the origin also sends lines the jar refuses, carrying the same value.
      res.setHeader('set-cookie', [
        `${name}=${value}; Path=/; Max-Age=3600`,
        ...(query.has('value') ? [`${name}-foreign=${value}; Domain=other.test`, `${value}; Path=/`, `__Host-${name}=${value}; Path=/`] : []),
      ]);
      res.end('ok');
    });
    running = await startSupervisor({ dataDir: dir, adminPort: 0, domains: ['fault.test'], flushIntervalMs: 20 });
  });
  afterEach(async () => {
    blocker?.close();
    blocker = null;
    await running.stop();
    await origin.close();
  });

  async function status(): Promise<SupervisorStatus> {
    const admin = running.addresses.admin;
    const token = (await readFile(running.addresses.adminTokenPath, 'utf8')).trim();
    const response = await fetch(`http://127.0.0.1:${admin?.port ?? 0}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as SupervisorStatus;
  }

  const visit = async (name: string): Promise<void> => {
    expect(await getThroughProxy(running.addresses.proxy.port, `http://fault.test:${origin.port}/?set=${name}`)).toBe(200);
  };

  it('serves from memory, shows SQLite’s error on /api/status, and commits what waited once the lock is gone', async () => {
    const jarFile = join(dir, 'jar.sqlite');
    await visit('first');
    await expect.poll(async () => (await status()).jar.store, { timeout: 5000 }).toMatchObject({ pendingWrites: 0, commits: 1 });

    blocker = new DatabaseSync(jarFile);
    blocker.exec('BEGIN IMMEDIATE');
    await visit('second');
    await expect.poll(async () => (await status()).jar.store.errors, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const failing = (await status()).jar.store;
    expect(failing.lastError).toContain('database is locked');
    expect(failing.failingSince).toBeTypeOf('number');
    expect(failing.pendingWrites).toBeGreaterThanOrEqual(1);
    // The jar answers from memory meanwhile.
    expect(await running.supervisor.cookieHeader(`http://fault.test:${origin.port}/`)).toBe('first=1; second=1');
    expect(running.logs.some((line) => line.startsWith('error: ') && line.includes('database is locked'))).toBe(true);

    blocker.exec('ROLLBACK');
    blocker.close();
    blocker = null;
    await expect.poll(async () => (await status()).jar.store, { timeout: 10_000 }).toMatchObject({ pendingWrites: 0, failingSince: null });
    expect(await storedValues(jarFile)).toEqual(['first=1', 'second=1']);
  });

  it('writes no cookie value to its log, stored or refused, sent or received, while the store fails', async () => {
    const secret = 'S3CRET-5e2b77';
    blocker = new DatabaseSync(join(dir, 'jar.sqlite'));
    blocker.exec('BEGIN IMMEDIATE');
    await visit(`logged&value=${secret}`);
    // A request that carries the secret in its Cookie header, as a pair and as a piece without "=".
    const proxy = running.addresses.proxy.port;
    await new Promise<void>((resolve, reject) => {
      const url = `http://fault.test:${origin.port}/?set=again`;
      const req = request({ host: '127.0.0.1', port: proxy, path: url, headers: { host: `fault.test:${origin.port}`, cookie: `sent=${secret}; ${secret}` }, agent: false }, (res) => {
        res.resume().on('end', resolve);
      });
      req.on('error', reject).end();
    });
    await expect.poll(async () => (await status()).jar.store.errors, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const stats = await status();
    expect(Object.values(stats.jar.refused).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(3);
    expect(await running.supervisor.cookieHeader(`http://fault.test:${origin.port}/`)).toContain(secret);
    expect(running.logs.length).toBeGreaterThan(0);
    for (const line of running.logs) expect(line).not.toContain(secret);
  });
});
