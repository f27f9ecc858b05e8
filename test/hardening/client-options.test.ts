/**
 * The client limits and access options of createSupervisor: their defaults,
 * and a coded refusal naming the option for a value that cannot be used.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JarsyncError } from '../../src/errors.ts';
import type { SupervisorOptions } from '../../src/options.ts';
import { openProxyWarning, resolveOptions } from '../../src/options.ts';

function thrown(run: () => unknown): JarsyncError {
  try {
    run();
  } catch (error) {
    if (error instanceof JarsyncError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

// Never started: nothing is written there.
const dataDir = path.join(tmpdir(), 'jarsync-never-started');

describe('client limits and access: defaults', () => {
  it('on loopback', () => {
    const options = resolveOptions({ dataDir });
    expect(options).toMatchObject({
      maxHeaderSize: 32_768,
      headersTimeoutMs: 20_000,
      idleTimeoutMs: 60_000,
      upstreamConnectTimeoutMs: 10_000,
      upstreamResponseTimeoutMs: 120_000,
      maxConnections: 10_000,
      maxConnectionsPerClient: 0,
      allow: [],
      auth: [],
    });
  });

  it('the jar back-pressure and the certificate cache', () => {
    expect(resolveOptions({ dataDir })).toMatchObject({ mailboxCapacity: 100_000, backlogCapacity: 100_000, holdHighWater: 50_000, holdLowWater: 10_000, maxCertificates: 10_000 });
    expect(resolveOptions({ dataDir, backlogCapacity: 30 })).toMatchObject({ holdHighWater: 15, holdLowWater: 3 });
    expect(resolveOptions({ dataDir, backlogCapacity: 1 })).toMatchObject({ holdHighWater: 1, holdLowWater: 0 });
    expect(resolveOptions({ dataDir, backlogCapacity: 100, holdHighWater: 4 })).toMatchObject({ holdHighWater: 4, holdLowWater: 3 });
  });

  it('beyond loopback, a per-client cap', () => {
    expect(resolveOptions({ dataDir, host: '0.0.0.0', allow: ['10.0.0.0/8'] }).maxConnectionsPerClient).toBe(256);
    expect(resolveOptions({ dataDir, host: '0.0.0.0', allow: ['10.0.0.0/8'], maxConnectionsPerClient: 0 }).maxConnectionsPerClient).toBe(0);
  });
});

describe('client limits and access: refusals', () => {
  it.each<[SupervisorOptions, string]>([
    [{ host: '0.0.0.0' }, 'host'],
    [{ host: '::' }, 'host'],
    [{ maxHeaderSize: 0 }, 'maxHeaderSize'],
    [{ maxHeaderSize: 64 * 1024 * 1024 }, 'maxHeaderSize'],
    [{ headersTimeoutMs: 1.5 }, 'headersTimeoutMs'],
    [{ maxConnections: 0 }, 'maxConnections'],
    [{ maxConnectionsPerClient: -1 }, 'maxConnectionsPerClient'],
    [{ maxCertificates: 0 }, 'maxCertificates'],
    [{ mailboxCapacity: 0 }, 'mailboxCapacity'],
    [{ backlogCapacity: 0 }, 'backlogCapacity'],
    [{ backlogCapacity: 10, holdHighWater: 11 }, 'holdHighWater'],
    [{ holdHighWater: 10, holdLowWater: 10 }, 'holdLowWater'],
    [{ allow: ['10.0.0.0/99'] }, 'allow'],
    [{ allow: 'not a list' as unknown as string[] }, 'allow'],
    [{ auth: [{ user: 'two words', password: 'x' }] }, 'auth'],
    [{ auth: [{ user: 'u', password: '' }] }, 'auth'],
    [{ auth: [{ user: 'u', password: 'a' }, { user: 'u', password: 'b' }] }, 'auth'],
  ])('%j names %s', (options, named) => {
    const error = thrown(() => resolveOptions({ dataDir, ...options }));
    expect(error.code).toBe('JARSYNC_ERR_BAD_OPTION');
    expect(error.message.startsWith(`${named}: `)).toBe(true);
  });

  it('never repeats a password in a refusal', () => {
    const error = thrown(() => resolveOptions({ dataDir, auth: [{ user: 'bad user', password: 'hunter2' }] }));
    expect(error.message).not.toContain('hunter2');
  });
});

describe('openProxyWarning', () => {
  it('warns of an allow list open to everyone with no credentials asked, and only then', () => {
    const open = resolveOptions({ dataDir, host: '0.0.0.0', allow: ['0.0.0.0/0'] });
    expect(openProxyWarning(open)).toMatch(/lets any address in \(allow 0\.0\.0\.0\/0\)/);
    expect(openProxyWarning(resolveOptions({ dataDir, host: '0.0.0.0', allow: ['0.0.0.0/0'], auth: [{ user: 'a', password: 'b' }] }))).toBeNull();
    expect(openProxyWarning(resolveOptions({ dataDir, host: '0.0.0.0', allow: ['10.0.0.0/8'] }))).toBeNull();
    expect(openProxyWarning(resolveOptions({ dataDir, allow: ['0.0.0.0/0'] }))).toBeNull();
  });
});

describe('authFile', () => {
  it('adds a file’s credentials to auth, skipping blank lines and comments', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'jarsync-auth-file-'));
    try {
      const file = path.join(dir, 'auth');
      await writeFile(file, '# devices\nphone:se:cret\r\n\n  # tablet below\ntablet:other\n');
      const options = resolveOptions({ dataDir, host: '0.0.0.0', authFile: file, auth: [{ user: 'laptop', password: 'x' }] });
      expect(options.auth).toEqual([
        { user: 'laptop', password: 'x' },
        { user: 'phone', password: 'se:cret' },
        { user: 'tablet', password: 'other' },
      ]);
      await writeFile(file, 'phone:ok\nnot a credential hunter2\n');
      const error = thrown(() => resolveOptions({ dataDir, authFile: file }));
      expect(error.message).toMatch(/^authFile: .* line 2 /);
      expect(error.message).not.toContain('hunter2');
      await writeFile(file, 'phone:a\nphone:b\n');
      expect(thrown(() => resolveOptions({ dataDir, authFile: file })).message).toMatch(/^auth: user "phone" is given more than once/);
      expect(thrown(() => resolveOptions({ dataDir, authFile: path.join(dir, 'missing') })).message).toMatch(/^authFile: cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
