/** curl as a real client, run asynchronously (the proxy may share this process's event loop). */
import { execFile } from 'node:child_process';

export interface CurlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function curl(args: readonly string[], timeoutMs = 15_000): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
