/**
 * Runs the real CLI (`node src/cli.ts …`) in a child process, with the Node
 * that runs the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/jarsync.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly entry?: string;
}

/** An environment without the caller's JARSYNC_HOME, so no test touches a real data dir by accident. */
function childEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (extra['JARSYNC_HOME'] === undefined) env['JARSYNC_HOME'] = '/nonexistent/jarsync-test-home';
  return env;
}

export function spawnCli(args: readonly string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [options.entry ?? CLI, ...args], { env: childEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a command to its end. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return finished(spawnCli(args, options));
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves with what the child has printed on `stream` (stdout by default) once it matches `marker`; rejects if it exits first. */
export function waitForOutput(child: ChildProcess, marker: RegExp, options: { readonly stream?: 'stdout' | 'stderr'; readonly timeoutMs?: number } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const watched = options.stream ?? 'stdout';
  return new Promise((resolve, reject) => {
    const seen = { stdout: '', stderr: '' };
    const timer = setTimeout(() => {
      reject(new Error(`no ${String(marker)} within ${timeoutMs} ms; stdout: ${seen.stdout}; stderr: ${seen.stderr}`));
    }, timeoutMs);
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.on('data', (chunk: Buffer) => {
        seen[name] += chunk.toString('utf8');
        if (name === watched && marker.test(seen[name])) {
          clearTimeout(timer);
          resolve(seen[name]);
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before ${String(marker)}; stdout: ${seen.stdout}; stderr: ${seen.stderr}`));
    });
  });
}
