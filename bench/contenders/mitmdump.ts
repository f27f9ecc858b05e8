/**
 * mitmdump (Debian's mitmproxy) as a contender, with the bench's jar add-on
 * (mitmdump-jar.py). Quiet (`-q`: no line per flow), its own confdir per
 * start (a new CA), upstream certificates verified against the origin's CA,
 * and otherwise mitmproxy's defaults, as its users run it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startChild } from '../process/child.ts';
import { freePort, waitForPort } from '../process/free-port.ts';
import type { Contender, RunningContender } from './contender.ts';

const ADDON = path.join(import.meta.dirname, 'mitmdump-jar.py');

let started = 0;

function mitmdumpPath(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v mitmdump'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export const mitmdump: Contender = {
  name: 'mitmdump',
  description: 'mitmdump (Debian mitmproxy) with the bench jar add-on, defaults otherwise',
  unavailable: () => (mitmdumpPath() === null ? 'mitmdump is not installed (Debian package mitmproxy)' : null),
  start: async (context): Promise<RunningContender> => {
    started += 1;
    const command = mitmdumpPath() ?? 'mitmdump';
    const confdir = path.join(context.workDir, `mitmdump-${started}`);
    // mitmdump cannot tell a port it picked, so the bench picks one free and checks it opens.
    const port = await freePort();
    const child = await startChild('mitmdump', {
      command,
      args: [
        '-q',
        '--listen-host', '127.0.0.1',
        '--listen-port', String(port),
        '--set', `confdir=${confdir}`,
        '--set', `ssl_verify_upstream_trusted_ca=${context.origin.caFile}`,
        '-s', ADDON,
        '--set', `bench_jar_domain=${context.origin.suffix}`,
        '--set', `bench_resolve=*.${context.origin.suffix}=127.0.0.1`,
      ],
      readyLine: null,
    });
    try {
      await waitForPort(port, 30_000);
    } catch (error) {
      await child.stop(2_000);
      throw new Error(`mitmdump did not listen: ${(error as Error).message}\n${child.output()}`, { cause: error });
    }
    return {
      name: 'mitmdump',
      proxy: { host: '127.0.0.1', port },
      caPems: [readFileSync(path.join(confdir, 'mitmproxy-ca-cert.pem'), 'utf8'), context.origin.caPem],
      pid: child.pid,
      mints: () => Promise.resolve(null),
      stop: () => child.stop(5_000),
    };
  },
};
