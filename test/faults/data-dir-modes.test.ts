/**
 * Secrets on disk: the data dir is 0700 and the CA key, the admin token and
 * the jar's files are 0600. A looser mode found at start is tightened and
 * reported as a warning; a dir or secret that belongs to another user, or is
 * not what it should be, stops the start. Real dirs and files in a temp dir;
 * "another user" is the check's `uid` option set to someone other than the
 * files' owner, which needs no privileges to arrange.
 */
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDataDir } from '../../src/supervisor/data-dir-check.ts';
import { SqliteJarStore } from '../../src/store/sqlite-jar-store.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

let root: string;
let dataDir: string;
let warnings: string[];
const log = (_level: 'warn', message: string): void => {
  warnings.push(message);
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'jarsync-modes-'));
  dataDir = join(root, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  await chmod(dataDir, 0o700);
  warnings = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

async function secret(name: string, mode: number): Promise<string> {
  const path = join(dataDir, name);
  await writeFile(path, 'secret\n');
  await chmod(path, mode);
  return path;
}

describe('checkDataDir', () => {
  it('accepts a 0700 dir with 0600 secrets as it is, silently', async () => {
    for (const name of ['ca-key.pem', 'admin-token', 'jar.sqlite']) await secret(name, 0o600);
    await secret('ca.pem', 0o644);
    expect(await checkDataDir(dataDir, { log })).toEqual({ tightened: [] });
    expect(warnings).toEqual([]);
  });

  it('tightens a loose dir and every loose secret, with one warning naming each path and its old mode', async () => {
    await chmod(dataDir, 0o755);
    const loose = [
      await secret('ca-key.pem', 0o644),
      await secret('admin-token', 0o640),
      await secret('jar.sqlite', 0o644),
      await secret('jar.sqlite-wal', 0o666),
      await secret('jar.sqlite-shm', 0o604),
    ];
    const result = await checkDataDir(dataDir, { log });
    expect(result.tightened).toEqual([dataDir, ...loose]);
    expect(await modeOf(dataDir)).toBe(0o700);
    for (const path of loose) expect(await modeOf(path), path).toBe(0o600);
    expect(warnings).toHaveLength(6);
    expect(warnings[0]).toContain(dataDir);
    expect(warnings[0]).toContain('0755');
    expect(warnings[1]).toContain(loose[0]);
    expect(warnings[1]).toContain('0644');
  });

  it('never widens: a 0400 token and a 0500 dir stay as they are', async () => {
    const token = await secret('admin-token', 0o400);
    await chmod(dataDir, 0o500);
    try {
      expect((await checkDataDir(dataDir, { log })).tightened).toEqual([]);
      expect(await modeOf(token)).toBe(0o400);
      expect(await modeOf(dataDir)).toBe(0o500);
    } finally {
      await chmod(dataDir, 0o700);
    }
  });

  it('leaves the public CA certificate alone', async () => {
    const cert = await secret('ca.pem', 0o644);
    await checkDataDir(dataDir, { log });
    expect(await modeOf(cert)).toBe(0o644);
  });

  // One check serves the dir and each secret, so the dir stands for both here:
  // making a file in our own dir belong to someone else would need chown's privileges.
  it('refuses a data dir that belongs to another user, and changes nothing', async () => {
    await chmod(dataDir, 0o755);
    const owner = (await stat(dataDir)).uid;
    await expect(checkDataDir(dataDir, { log, uid: owner + 1 })).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_OPTION' });
    expect(await modeOf(dataDir)).toBe(0o755);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['the data dir is a file', async () => {
      const file = join(root, 'not-a-dir');
      await writeFile(file, '');
      return file;
    }],
    ['a secret is a directory', async () => {
      await mkdir(join(dataDir, 'admin-token'));
      return dataDir;
    }],
    ['the data dir does not exist', () => Promise.resolve(join(root, 'missing'))],
  ])('refuses when %s', async (_name, make) => {
    await expect(checkDataDir(await make(), { log })).rejects.toMatchObject({ code: 'JARSYNC_ERR_BAD_OPTION' });
  });

  it('checks a data dir reached through a link where it is', async () => {
    await chmod(dataDir, 0o750);
    const link = join(root, 'link');
    await symlink(dataDir, link);
    expect((await checkDataDir(link, { log })).tightened).toEqual([link]);
    expect(await modeOf(dataDir)).toBe(0o700);
  });
});

describe('the jar files', () => {
  it('are created 0600, -wal and -shm included, whatever the umask', async () => {
    const previous = process.umask(0o022);
    try {
      const store = SqliteJarStore.open(join(dataDir, 'jar.sqlite'));
      await store.commit({ upserts: [{ origin: 'set-cookie', cookie: { key: 'a', value: '1', domain: 'example.com', path: '/' } }], deletes: [] });
      for (const name of ['jar.sqlite', 'jar.sqlite-wal', 'jar.sqlite-shm']) expect(await modeOf(join(dataDir, name)), name).toBe(0o600);
      await store.close();
    } finally {
      process.umask(previous);
    }
    // So the next start has nothing to warn about.
    expect((await checkDataDir(dataDir, { log })).tightened).toEqual([]);
  });

  it('at start, tightens what it finds loose and warns through the log', async () => {
    await chmod(dataDir, 0o755);
    const token = join(dataDir, 'admin-token');
    await writeFile(token, `${'t'.repeat(43)}\n`);
    await chmod(token, 0o644);
    const running = await startSupervisor({ dataDir });
    try {
      expect(await modeOf(dataDir)).toBe(0o700);
      expect(await modeOf(token)).toBe(0o600);
      expect(running.logs.filter((line) => line.startsWith('warn: ') && line.includes(token))).toHaveLength(1);
    } finally {
      await running.stop();
    }
  });
});
