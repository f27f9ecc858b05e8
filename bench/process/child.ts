/**
 * The processes the bench starts (the origin, the proxies, helper runs), each
 * stopped by its own PID and never by name: other people's nginx or mitmdump
 * on the same machine are not ours to end.
 *
 *   startChild ──▶ ready when a line of its output matches (or a port opens) ──▶ stop(): SIGTERM, then SIGKILL
 *
 * Every child is registered until it exits, so that `stopAllChildren` (on an
 * error or Ctrl-C in the runner) leaves nothing running.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface StartChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Resolves the start when a line of stdout or stderr matches; null: started as soon as it spawned. */
  readonly readyLine?: RegExp | null;
  /** Longest wait for the ready line. Defaults to 30 s (a first start may create a CA). */
  readonly readyTimeoutMs?: number;
  /** Signal that asks the process to stop. Defaults to SIGTERM. */
  readonly stopSignal?: NodeJS.Signals;
  /** Sends stdout to this file rather than keeping it (a load tool's per-request output); `readyLine` then sees stderr only. */
  readonly stdoutFile?: string;
}

export interface Child {
  readonly pid: number;
  readonly name: string;
  /** The line that matched `readyLine`, with its groups. */
  readonly ready: RegExpExecArray | null;
  /** Everything it printed (the last 64 KB), for error messages. */
  output(): string;
  /** Every line it has printed so far. */
  lines(): readonly string[];
  readonly exited: Promise<number | null>;
  /** Asks it to stop, and kills it if it has not after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;
const running = new Set<Child>();

export async function startChild(name: string, options: StartChildOptions): Promise<Child> {
  const stdoutFd = options.stdoutFile === undefined ? null : openSync(options.stdoutFile, 'w');
  const process_: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  // The child holds its own copy of the descriptor.
  if (stdoutFd !== null) closeSync(stdoutFd);
  const pid = process_.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => process_.once('error', resolve));
    throw new Error(`${name}: could not start ${options.command}: ${error.message}`);
  }
  let output = '';
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => {
    process_.once('exit', (code, signal) => {
      resolve(code ?? (signal === null ? null : -1));
    });
  });

  let onLine: ((line: string) => void) | null = null;
  for (const stream of [process_.stdout, process_.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      output = (output + text).slice(-OUTPUT_LIMIT);
      partial += text;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (lines.length < 10_000) lines.push(line);
        onLine?.(line);
      }
    });
  }

  const child: Child = {
    pid,
    name,
    ready: null,
    output: () => output,
    lines: () => lines,
    exited,
    stop: async (graceMs = 10_000) => {
      if (process_.exitCode !== null || process_.signalCode !== null) return;
      process.kill(pid, options.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone in the meantime.
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));

  const readyLine = options.readyLine ?? null;
  if (readyLine === null) return child;
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const ready = await new Promise<RegExpExecArray | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name}: not ready after ${timeoutMs} ms; it printed:\n${output}`));
    }, timeoutMs);
    const check = (line: string): void => {
      const match = readyLine.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        onLine = null;
        resolve(match);
      }
    };
    for (const line of lines) check(line);
    onLine = check;
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with ${code} before it was ready; it printed:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await child.stop(2_000);
    throw error;
  });
  return { ...child, ready };
}

/** Stops every child still running, all at once, each by its own PID. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(3_000)));
}
