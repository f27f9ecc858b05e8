/**
 * `jarsync start` as a user runs it: a child process on port 0, real traffic
 * through it, the admin API it prints, and its ways of stopping.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SerializedCookie } from '../../src/store/jar-store.ts';
import { finished, runCli, spawnCli as spawnChild, waitForOutput } from './cli-process.ts';

let root: string;
let origin: http.Server;
let originPort: number;
/** Requests to /hang the origin holds. */
let hanging = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'jarsync-cli-start-'));
  // `/set?k=v` sets a cookie; `/hang` never answers, to hold a request in flight.
  origin = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin.test');
    if (url.pathname === '/hang') {
      hanging += 1;
      return;
    }
    res.setHeader('set-cookie', [...url.searchParams].map(([name, value]) => `${name}=${value}; Path=/`));
    res.writeHead(200).end('ok\n');
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originPort = (origin.address() as AddressInfo).port;
});
/** Children a failed test left running are killed, not left behind. */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function spawnCli(args: readonly string[]): ChildProcess {
  const child = spawnChild(args);
  children.push(child);
  return child;
}

afterAll(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

function startArgs(dataDir: string, ...extra: string[]): string[] {
  return ['start', '--port', '0', '--admin-port', '0', '--workers', '1', '--data-dir', dataDir, '--resolve', '*.origin.test=127.0.0.1', ...extra];
}

/** The `name: value` lines start prints. */
function linesOf(stdout: string): Map<string, string> {
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)] as const),
  );
}

/** A GET through the proxy; resolves with the response, or never (for /hang) while the request stays in flight. */
function getThroughProxy(proxy: URL, url: string): { readonly done: Promise<number>; readonly request: http.ClientRequest } {
  const target = new URL(url);
  let request: http.ClientRequest | undefined;
  const done = new Promise<number>((resolve, reject) => {
    request = http.request({ host: proxy.hostname, port: proxy.port, path: url, headers: { host: target.host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    request.on('error', reject);
    request.end();
  });
  if (request === undefined) throw new Error('no request');
  return { done, request };
}

describe('jarsync start', () => {
  it('prints its addresses, proxies and captures, serves the admin API, and exits 0 on SIGTERM', async () => {
    const dataDir = join(root, 'run');
    const child = spawnCli(startArgs(dataDir, '--domain', 'origin.test'));
    const exit = finished(child);
    const lines = linesOf(await waitForOutput(child, /^pairing: .*\n/m));

    expect([...lines.keys()]).toEqual(['proxy', 'admin', 'dashboard', 'ca', 'token', 'data', 'domains', 'pairing']);
    expect(lines.get('pairing')).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(lines.get('proxy')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.get('admin')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.get('ca')).toBe(join(dataDir, 'ca.pem'));
    expect(lines.get('token')).toBe(join(dataDir, 'admin-token'));
    expect(lines.get('data')).toBe(dataDir);
    expect(lines.get('domains')).toBe('origin.test');

    const proxy = new URL(lines.get('proxy') ?? '');
    expect(await getThroughProxy(proxy, `http://app.origin.test:${originPort}/set?sid=abc`).done).toBe(200);

    const token = readFileSync(lines.get('token') ?? '', 'utf8').trim();
    const admin = lines.get('admin') ?? '';
    // The dashboard's link is the admin API's, with the token that opens it.
    expect(lines.get('dashboard')).toBe(`${admin}/?token=${encodeURIComponent(token)}`);
    // Where `jarsync wait` finds the admin API, written once it listens.
    await vi.waitFor(() => {
      expect(JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8'))).toEqual({ url: admin, pid: child.pid });
    }, 5_000);
    await vi.waitFor(async () => {
      const response = await fetch(`${admin}/api/cookies/header?url=${encodeURIComponent(`http://app.origin.test:${originPort}/`)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await response.json()).toEqual({ header: 'sid=abc' });
    }, 5_000);
    // `jarsync cookies` reads the jar while the proxy runs.
    await vi.waitFor(async () => {
      const running = await runCli(['cookies', '--header', '--url', `http://app.origin.test:${originPort}/`, '--data-dir', dataDir]);
      expect(running.stdout).toBe('sid=abc\n');
    }, 10_000);

    child.kill('SIGTERM');
    const result = await exit;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIGTERM: closing');
    expect(existsSync(join(dataDir, 'admin.json'))).toBe(false);

    // The jar outlives the process.
    const after = await runCli(['cookies', '--data-dir', dataDir]);
    expect((JSON.parse(after.stdout) as SerializedCookie[]).map((cookie) => `${cookie.key}=${cookie.value}`)).toEqual(['sid=abc']);
  });

  it('exits 0 on SIGINT too; --no-sync says so', async () => {
    const child = spawnCli(startArgs(join(root, 'sigint'), '--no-sync', '--no-persist'));
    const exit = finished(child);
    const lines = linesOf(await waitForOutput(child, /^pairing: .*\n/m));
    expect(lines.get('domains')).toBe('none');
    child.kill('SIGINT');
    const result = await exit;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('syncing is stopped');
  });

  it('stops at once and exits 1 on a second signal while a request holds the close', async () => {
    const child = spawnCli(startArgs(join(root, 'twice'), '--domain', 'origin.test'));
    const exit = finished(child);
    const lines = linesOf(await waitForOutput(child, /^pairing: .*\n/m));
    const held = getThroughProxy(new URL(lines.get('proxy') ?? ''), `http://app.origin.test:${originPort}/hang`);
    held.done.catch(() => undefined);
    // The request must be in flight before the signal, or close() has nothing to wait for.
    await vi.waitFor(() => {
      expect(hanging).toBe(1);
    });
    const closing = waitForOutput(child, /SIGTERM: closing/, { stream: 'stderr' });
    child.kill('SIGTERM');
    // Two signals sent before the first is handled may arrive as one.
    await closing;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    const result = await exit;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SIGTERM again: stopping at once');
    held.request.destroy();
  });

  it('exits 1 with the message when the proxy port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const result = await runCli(['start', '--port', String(taken), '--admin-port', '0', '--workers', '1', '--data-dir', join(root, 'busy')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(String(taken));
      expect(result.stderr).not.toContain('usage:');
    } finally {
      blocker.close();
    }
  });
});
