import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JarsyncError } from '../../src/errors.ts';
import { loadOrCreateAdminToken } from '../../src/supervisor/admin-token.ts';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jarsync-token-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('loadOrCreateAdminToken', () => {
  it('creates admin-token in a new 0700 data dir: 32 random bytes, base64url, mode 0600', async () => {
    const dataDir = join(root, 'data');
    const { token, path } = await loadOrCreateAdminToken(dataDir);
    expect(path).toBe(join(dataDir, 'admin-token'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(readFileSync(path, 'utf8')).toBe(`${token}\n`);
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(dataDir)).toBe(0o700);
  });

  it('reads the same token back on a later start, and leaves no temporary file behind', async () => {
    const first = await loadOrCreateAdminToken(root);
    const second = await loadOrCreateAdminToken(root);
    expect(second).toEqual(first);
    expect(readFileSync(first.path, 'utf8')).toBe(`${first.token}\n`);
    expect(readdirSync(root)).toEqual(['admin-token']);
  });

  it('makes a different token in another data dir', async () => {
    const one = await loadOrCreateAdminToken(join(root, 'one'));
    const two = await loadOrCreateAdminToken(join(root, 'two'));
    expect(one.token).not.toBe(two.token);
  });

  it('gives two starts at the same moment the same token (the file is never overwritten)', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateAdminToken(root)));
    const tokens = new Set(results.map((result) => result.token));
    expect(tokens.size).toBe(1);
    expect(readFileSync(join(root, 'admin-token'), 'utf8').trim()).toBe(results[0]?.token);
  });

  it.each([0o644, 0o666, 0o640, 0o604])('tightens a token file of mode %s to 0600, keeping the token', async (mode) => {
    const { token, path } = await loadOrCreateAdminToken(root);
    chmodSync(path, mode);
    expect(modeOf(path)).toBe(mode);
    expect((await loadOrCreateAdminToken(root)).token).toBe(token);
    expect(modeOf(path)).toBe(0o600);
  });

  it('leaves a stricter mode as it is', async () => {
    const { path } = await loadOrCreateAdminToken(root);
    chmodSync(path, 0o400);
    await loadOrCreateAdminToken(root);
    expect(modeOf(path)).toBe(0o400);
  });

  it('takes a token a person wrote into the file, trimmed', async () => {
    const token = 'a-hand-written-token-of-enough-length.1234';
    writeFileSync(join(root, 'admin-token'), `  ${token}\n\n`, { mode: 0o600 });
    expect((await loadOrCreateAdminToken(root)).token).toBe(token);
  });

  it.each([
    ['empty', ''],
    ['too short to be safe', 'short-token'],
    ['with a space inside', 'a token with spaces that is long enough to pass'],
    ['with a non-ASCII character', `${'x'.repeat(40)}é`],
  ])('refuses a token file that is %s, and leaves it as it is', async (_name, content) => {
    const path = join(root, 'admin-token');
    writeFileSync(path, content, { mode: 0o600 });
    const error: unknown = await loadOrCreateAdminToken(root).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(JarsyncError);
    expect((error as JarsyncError).code).toBe('JARSYNC_ERR_BAD_OPTION');
    expect((error as JarsyncError).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('reports a data dir it cannot create with a coded error', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const error: unknown = await loadOrCreateAdminToken(join(file, 'data')).catch((rejection: unknown) => rejection);
    expect((error as JarsyncError).code).toBe('JARSYNC_ERR_BAD_OPTION');
  });
});
