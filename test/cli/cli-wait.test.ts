/**
 * `jarsync wait` against a running jarsync: it finds the admin API through
 * the data dir (admin.json, as `jarsync start` leaves it), prints the cookie
 * and exits 0, exits 1 when none comes in time, 2 for a bad flag.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerializedCookie } from '../../src/actors/cookie-change.ts';
import { writeAdminAddress } from '../../src/cli/admin-address-file.ts';
import { createSupervisor } from '../../src/supervisor/supervisor.ts';
import type { Supervisor } from '../../src/supervisor/supervisor-api.ts';
import { runCli } from './cli-process.ts';

let dataDir: string;
let supervisor: Supervisor;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'jarsync-wait-'));
  supervisor = createSupervisor({ port: 0, adminPort: 0, workers: 1, dataDir, domains: ['wait.test'], log: () => undefined });
  const { admin } = await supervisor.start();
  await writeAdminAddress(dataDir, { url: `http://127.0.0.1:${admin?.port ?? 0}`, pid: process.pid });
});
afterAll(async () => {
  await supervisor.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe.concurrent('jarsync wait', () => {
  it('prints a cookie the jar holds already and exits 0', async () => {
    await supervisor.setCookie('held=yes; Path=/', 'http://app.wait.test/');
    const result = await runCli(['wait', '--domain', 'wait.test', '--name', 'held', '--timeout', '5', '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout) as SerializedCookie).toMatchObject({ key: 'held', value: 'yes', domain: 'app.wait.test' });
  });

  it('waits for a cookie that arrives while it waits', async () => {
    const running = runCli(['wait', '--domain', 'wait.test', '--name', 'later', '--timeout', '10', '--data-dir', dataDir]);
    setTimeout(() => {
      void supervisor.setCookie('later=1; Path=/', 'http://wait.test/');
    }, 1_500);
    const result = await running;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout) as SerializedCookie).toMatchObject({ key: 'later', value: '1' });
  });

  it('exits 1 when no cookie comes within --timeout', async () => {
    const result = await runCli(['wait', '--domain', 'wait.test', '--name', 'never', '--timeout', '0.5', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no cookie never of wait.test within 0.5 s');
  });

  // Each refusal is in parse-args.test.ts; here, that one exits 2 with the usage line.
  it.each([
    [['--domain', 'wait.test'], '--name'],
    [['--domain', 'wait.test', '--name', 'x', '--timeout', 'soon'], '--timeout'],
  ])('%j exits 2, naming %s', async (flags, named) => {
    const result = await runCli(['wait', ...flags, '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(named);
    expect(result.stderr).toContain('usage: jarsync wait');
  });

  it('exits 1 saying so when no jarsync runs with the data dir', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'jarsync-wait-none-'));
    try {
      const result = await runCli(['wait', '--domain', 'wait.test', '--name', 'x', '--data-dir', empty]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('No jarsync is running');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
