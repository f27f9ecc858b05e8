/**
 * The real CLI in a child process: exit codes, messages, and what each
 * command prints.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { jarPath } from '../../src/data-dir.ts';
import type { SerializedCookie, StoredCookie } from '../../src/store/jar-store.ts';
import { SqliteJarStore } from '../../src/store/sqlite-jar-store.ts';
import { BIN, runCli } from './cli-process.ts';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'jarsync-cli-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

// Each test spawns its own process and shares nothing with the others: they run side by side.
describe.concurrent('exit codes and messages', () => {
  it.each([
    [['start', '--bogus'], '--bogus', 'usage: jarsync start'],
    [['start', '--port', 'x'], '--port', 'usage: jarsync start'],
    [['start', '--domain', 'not a domain'], '--domain', 'usage: jarsync start'],
    [['cookies', '--header'], '--header', 'usage: jarsync cookies'],
    [['ca', '--pem=yes'], '--pem', 'usage: jarsync ca'],
    [['frobnicate'], 'frobnicate', 'usage: jarsync <start|cookies|wait|ca>'],
    [[], 'command', 'usage: jarsync <start|cookies|wait|ca>'],
  ])('%j exits 2, naming %s, with the usage line', async (args, named, usage) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [message, usageLine] = result.stderr.split('\n');
    expect(message).toMatch(/^jarsync: /);
    expect(message).toContain(named);
    expect(usageLine).toContain(usage);
  });

  it('exits 2 when the supervisor refuses an option the parser let through (an unreadable --ca-file)', async () => {
    const result = await runCli(['start', '--port', '0', '--ca-file', join(root, 'missing.pem'), '--data-dir', join(root, 'unused')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^jarsync: caFile: cannot read .*missing\.pem/);
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `jarsync ${packageJson.version}\n`, stderr: '' });
  });

  it('--help prints the commands; <command> --help its flags', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/start\s+run the proxy/);
    const start = await runCli(['start', '--help']);
    expect(start.code).toBe(0);
    for (const flag of ['--port', '--host', '--domain', '--data-dir', '--admin-port', '--workers', '--ca-file', '--insecure-upstream', '--resolve', '--no-sync', '--no-persist', '--leaf-key']) {
      expect(start.stdout).toContain(flag);
    }
  });

  it('runs through bin/jarsync.js as well', async () => {
    const result = await runCli(['--version'], { entry: BIN });
    expect(result).toMatchObject({ code: 0, stdout: `jarsync ${packageJson.version}\n` });
  });
});

describe.concurrent('jarsync ca', () => {
  it('creates the CA on first use and prints its path, then its PEM, with the SHA-256 fingerprint on stderr', async () => {
    const dataDir = join(root, 'ca');
    const first = await runCli(['ca', '--data-dir', dataDir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${join(dataDir, 'ca.pem')}\n`);
    expect(first.stderr).toContain('created a new CA');

    const pem = await runCli(['ca', '--pem', '--data-dir', dataDir]);
    expect(pem.code).toBe(0);
    expect(pem.stdout).toBe(readFileSync(join(dataDir, 'ca.pem'), 'utf8'));
    expect(pem.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    const cert = new X509Certificate(pem.stdout);
    expect(cert.ca).toBe(true);
    expect(pem.stderr).toBe(`SHA-256 fingerprint: ${cert.fingerprint256}\n`);
  });

  it('takes the data dir from $JARSYNC_HOME', async () => {
    const home = join(root, 'home');
    const result = await runCli(['ca'], { env: { JARSYNC_HOME: home } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(home, 'ca.pem')}\n`);
  });
});

describe.concurrent('jarsync cookies', () => {
  const dataDir = (): string => join(root, 'jar');
  const future = new Date(Date.now() + 86_400_000 * 30);
  const records: StoredCookie[] = [
    { origin: 'set-cookie', cookie: { key: 'sid', value: 'abc', domain: 'app.example.com', path: '/', hostOnly: true, httpOnly: true, secure: true, creation: '2026-01-01T00:00:00.000Z' } },
    { origin: 'set-cookie', cookie: { key: 'theme', value: 'dark', domain: 'example.com', path: '/', hostOnly: false, expires: future.toISOString(), creation: '2026-01-01T00:00:01.000Z' } },
    { origin: 'set-cookie', cookie: { key: 'other', value: '1', domain: 'other.test', path: '/', hostOnly: true, creation: '2026-01-01T00:00:02.000Z' } },
    { origin: 'set-cookie', cookie: { key: 'gone', value: 'x', domain: 'example.com', path: '/', hostOnly: false, expires: '2020-01-01T00:00:00.000Z', creation: '2019-01-01T00:00:00.000Z' } },
  ];

  beforeAll(async () => {
    mkdirSync(dataDir(), { recursive: true });
    const store = SqliteJarStore.open(jarPath(dataDir()));
    await store.commit({ upserts: records, deletes: [] });
    await store.close();
  });

  it('prints every live cookie as pretty JSON by default', async () => {
    const result = await runCli(['cookies', '--data-dir', dataDir()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n  {\n    "key": ');
    const cookies = JSON.parse(result.stdout) as SerializedCookie[];
    expect(cookies.map((cookie) => `${cookie.domain ?? ''} ${cookie.key}=${cookie.value}`).sort()).toEqual([
      'app.example.com sid=abc',
      'example.com theme=dark',
      'other.test other=1',
    ]);
  });

  it('--domain selects a domain and its subdomains; --json is the default', async () => {
    const result = await runCli(['cookies', '--json', '--domain', 'example.com', '--data-dir', dataDir()]);
    const cookies = JSON.parse(result.stdout) as SerializedCookie[];
    expect(cookies.map((cookie) => cookie.key).sort()).toEqual(['sid', 'theme']);
  });

  it('--netscape prints a cookies.txt', async () => {
    const result = await runCli(['cookies', '--netscape', '--data-dir', dataDir()]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('# Netscape HTTP Cookie File');
    expect(lines).toContain('#HttpOnly_app.example.com\tFALSE\t/\tTRUE\t0\tsid\tabc');
    expect(lines).toContain(`.example.com\tTRUE\t/\tFALSE\t${Math.floor(future.getTime() / 1000)}\ttheme\tdark`);
    expect(result.stdout).not.toContain('gone');
  });

  it('--header --url prints the Cookie header a browser would send there', async () => {
    const secure = await runCli(['cookies', '--header', '--url', 'https://app.example.com/page', '--data-dir', dataDir()]);
    expect(secure).toMatchObject({ code: 0, stdout: 'sid=abc; theme=dark\n' });
    // Secure cookies go to secure origins only.
    const plain = await runCli(['cookies', '--header', '--url', 'http://www.example.com/', '--data-dir', dataDir()]);
    expect(plain.stdout).toBe('theme=dark\n');
  });

  it('--url selects what a browser would send to the URL', async () => {
    const result = await runCli(['cookies', '--url', 'http://other.test/', '--data-dir', dataDir()]);
    expect((JSON.parse(result.stdout) as SerializedCookie[]).map((cookie) => cookie.key)).toEqual(['other']);
  });

  it('exits 1 with a message when the data dir has no jar', async () => {
    const result = await runCli(['cookies', '--data-dir', join(root, 'no-jar-here')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^jarsync: .*jar\.sqlite/);
  });
});
