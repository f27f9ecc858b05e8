/**
 * Debian's Chromium started by the tests themselves (no driver library): a
 * temp profile, the origin test CA trusted in its NSS store, `*.origin.test`
 * mapped to 127.0.0.1, a DevTools port read from DevToolsActivePort; stopped
 * by its PID.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ORIGIN_CA_FILE } from './supervisor.ts';

export const CHROMIUM = '/usr/bin/chromium';

export interface ChromiumOptions {
  /** The HOME Chromium runs with (its NSS store lives there); made by prepareChromiumHome. */
  readonly home: string;
  readonly userDataDir: string;
  /** 0: Chromium picks it (read back from DevToolsActivePort). */
  readonly debuggingPort?: number;
  readonly extraArgs?: readonly string[];
}

export interface RunningChromium {
  readonly process: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Everything it wrote on stderr, for a failing test's message. */
  readonly stderr: () => string;
  /** SIGTERM by PID, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** A HOME whose NSS store trusts the origin test CA. */
export async function prepareChromiumHome(home: string): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  const nssdb = path.join(home, '.pki', 'nssdb');
  await mkdir(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'origin-tests', '-i', ORIGIN_CA_FILE]);
}

export async function startChromium(options: ChromiumOptions): Promise<RunningChromium> {
  const activePort = path.join(options.userDataDir, 'DevToolsActivePort');
  await mkdir(options.userDataDir, { recursive: true });
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--password-store=basic',
      '--use-mock-keychain',
      `--user-data-dir=${options.userDataDir}`,
      `--remote-debugging-port=${options.debuggingPort ?? 0}`,
      '--host-resolver-rules=MAP *.origin.test 127.0.0.1',
      ...(options.extraArgs ?? []),
      'about:blank',
    ],
    { env: { ...process.env, HOME: options.home }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('chromium did not start');
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const killer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, 5_000);
    await exited;
    clearTimeout(killer);
  };
  // DevToolsActivePort: the port on the first line, once Chromium listens.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const text = await readFile(activePort, 'utf8').catch(() => '');
    const port = Number(text.split('\n')[0]);
    if (Number.isInteger(port) && port > 0 && (options.debuggingPort === undefined || options.debuggingPort === 0 || port === options.debuggingPort)) {
      // A file left by the last run names the same port: check that it answers.
      const answers = await fetch(`http://127.0.0.1:${port}/json/version`).then((response) => response.ok, () => false);
      if (answers) return { process: child, pid, endpoint: `http://127.0.0.1:${port}`, port, stderr: () => stderr, stop };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`chromium did not open its DevTools port: ${stderr.slice(-2000)}`);
    }
    await sleep(50);
  }
}
