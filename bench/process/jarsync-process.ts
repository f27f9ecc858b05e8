/**
 * `jarsync start` (the real CLI, `node src/cli.ts start`) in a child process
 * for the long-running bench scripts (soak, hold-connections): started under
 * an open-file limit of their choosing, read through its admin API, stopped
 * by its PID.
 *
 *   start ─▶ prlimit --nofile=N:N node src/cli.ts start --port 0 … ─▶ its printed addresses
 *        ─▶ status() / cookies() (admin API, bearer token) ─▶ stop(): SIGTERM, drain, exit 0
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startChild } from './child.ts';
import type { Child } from './child.ts';
import { runningUnder } from './open-files.ts';

const CLI = path.join(import.meta.dirname, '..', '..', 'src', 'cli.ts');

export interface JarsyncProcessOptions {
  readonly dataDir: string;
  /** Flags after `start` (domains, resolve rules, limits); port, admin port and data dir are set here. */
  readonly flags: readonly string[];
  /** RLIMIT_NOFILE for the process. */
  readonly openFiles: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface JarsyncProcess {
  readonly pid: number;
  readonly proxy: { readonly host: string; readonly port: number };
  readonly caPem: string;
  readonly child: Child;
  /** GET on the admin API, parsed JSON. */
  admin<T>(route: string): Promise<T>;
  /** SIGTERM, and the exit code once it has drained and saved the jar. */
  stop(graceMs?: number): Promise<number | null>;
}

export async function startJarsync(options: JarsyncProcessOptions): Promise<JarsyncProcess> {
  const cli = runningUnder(options.openFiles, process.execPath, [CLI, 'start', '--port', '0', '--admin-port', '0', '--data-dir', options.dataDir, ...options.flags]);
  // `domains:` is the last line `start` prints: every address is known by then.
  const child = await startChild('jarsync', { command: cli.command, args: cli.args, env: options.env ?? process.env, readyLine: /^domains: / });
  const field = (name: string): string => {
    const line = child.lines().find((candidate) => candidate.startsWith(`${name}: `));
    if (line === undefined) throw new Error(`jarsync did not print its ${name}:\n${child.output()}`);
    return line.slice(name.length + 2);
  };
  const proxy = new URL(field('proxy'));
  const admin = field('admin');
  const token = readFileSync(field('token'), 'utf8').trim();
  return {
    pid: child.pid,
    proxy: { host: proxy.hostname, port: Number(proxy.port) },
    caPem: readFileSync(field('ca'), 'utf8'),
    child,
    admin: async <T>(route: string): Promise<T> => {
      const response = await fetch(`${admin}${route}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`admin API ${route}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    stop: async (graceMs = 30_000) => {
      await child.stop(graceMs);
      return child.exited;
    },
  };
}
