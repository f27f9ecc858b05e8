/** Pairing codes and scoped tokens; the extension's connection state by its heartbeat. */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ExtensionLink, HEARTBEAT_TIMEOUT_MS } from '../../src/interceptor/extension-link.ts';
import { InterceptorPairing, MAX_FAILED_PAIRINGS } from '../../src/interceptor/interceptor-pairing.ts';
import { tempDir } from '../helpers/supervisor.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('InterceptorPairing', () => {
  it('hands out tokens that are remembered across restarts, and revokes them all', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const first = await InterceptorPairing.open({ dataDir, code: 'ABCD-EFGH' });
    const token = await first.pair('abcd efgh');
    expect(first.isToken(`Bearer ${token}`)).toBe(true);
    expect(first.isToken(`bearer   ${token}`)).toBe(true);
    expect(first.isToken(`Bearer ${token}x`)).toBe(false);
    expect(first.isToken(undefined)).toBe(false);
    const again = await InterceptorPairing.open({ dataDir });
    expect(again.code).not.toBe('ABCD-EFGH');
    expect(again.isToken(`Bearer ${token}`)).toBe(true);
    expect(again.tokens).toBe(1);
    await again.revokeAll();
    expect((await InterceptorPairing.open({ dataDir })).isToken(`Bearer ${token}`)).toBe(false);
  });

  it(`closes pairing after ${MAX_FAILED_PAIRINGS} wrong codes, even to the right one`, async () => {
    const pairing = await InterceptorPairing.open({ dataDir: null, code: 'ABCD-EFGH' });
    for (let tries = 0; tries < MAX_FAILED_PAIRINGS; tries += 1) {
      await expect(pairing.pair('WRONG-CODE')).rejects.toMatchObject({ code: 'JARSYNC_ERR_UNAUTHORIZED' });
    }
    await expect(pairing.pair('ABCD-EFGH')).rejects.toMatchObject({ code: 'JARSYNC_ERR_FORBIDDEN' });
  });

  it('makes codes of eight unambiguous characters', async () => {
    const codes = await Promise.all(Array.from({ length: 20 }, async () => (await InterceptorPairing.open({ dataDir: null })).code));
    for (const code of codes) expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTVWXYZ2-9]{4}-[ABCDEFGHJKMNPQRSTVWXYZ2-9]{4}$/);
    expect(new Set(codes).size).toBeGreaterThan(1);
  });
});

describe('ExtensionLink', () => {
  it('is never, then connected while heard from, disconnected when quiet or stopped', () => {
    let now = 1_000;
    const link = new ExtensionLink(() => now);
    expect(link.status(0)).toMatchObject({ state: 'never', reason: null, lastSeenAt: null });
    link.seen('Chrome/150');
    link.synced();
    link.counted(3, 1);
    expect(link.status(1)).toMatchObject({ state: 'connected', lastSeenAt: 1_000, lastSyncAt: 1_000, browser: 'Chrome/150', tokens: 1, received: 3, ignored: 1 });
    now += HEARTBEAT_TIMEOUT_MS;
    expect(link.status(1).state).toBe('connected');
    now += 1;
    expect(link.status(1)).toMatchObject({ state: 'disconnected', reason: 'no heartbeat for 90 s' });
    link.seen(undefined);
    expect(link.status(1)).toMatchObject({ state: 'connected', browser: 'Chrome/150' });
    link.stopped();
    expect(link.status(1)).toMatchObject({ state: 'disconnected', reason: 'syncing was stopped in the extension' });
  });
});
