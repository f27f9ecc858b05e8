/**
 * jarsync as a contender: the CLI (`node src/cli.ts start`) in a child process
 * of its own, so the load generator never shares its event loop or its CPU
 * accounting. Each start gets a fresh data dir (a new CA, an empty jar).
 *
 *   capture on:  --domain bench.test  (every *.bench.test host decrypted and its cookies recorded)
 *   capture off: no domain            (plain HTTP forwarded untouched, CONNECT a blind tunnel)
 *
 * Names reach the origin through jarsync's own `--resolve '*.bench.test=127.0.0.1'`,
 * and the origin's certificate is verified against its CA (`--ca-file` by
 * default, NODE_EXTRA_CA_CERTS with `trust: 'env'`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startChild } from '../process/child.ts';
import type { Contender, ContenderName, RunningContender } from './contender.ts';

const CLI = path.join(import.meta.dirname, '..', '..', 'src', 'cli.ts');

/**
 * How jarsync is told to trust the origin's CA: `--ca-file` (its option for
 * extra roots), or NODE_EXTRA_CA_CERTS (Node's own). Both verify; they are
 * two code paths in jarsync, and the bench can measure either.
 */
export type UpstreamTrust = 'ca-file' | 'env';

export interface JarsyncContenderOptions {
  readonly name: ContenderName;
  /** Sync the origin's domain (capture on), or none (capture off). */
  readonly capture: boolean;
  /** `--workers N`; null leaves jarsync's default. */
  readonly workers: number | null;
  /** Defaults to 'ca-file'. */
  readonly trust?: UpstreamTrust;
}

let started = 0;

export function jarsyncContender(options: JarsyncContenderOptions): Contender {
  const workers = options.workers === null ? 'default workers' : `--workers ${options.workers}`;
  const trust = options.trust ?? 'ca-file';
  return {
    name: options.name,
    description: `jarsync CLI, ${options.capture ? 'capture on (--domain bench.test)' : 'capture off (no domain)'}, ${workers}, origin CA by ${trust === 'env' ? 'NODE_EXTRA_CA_CERTS' : '--ca-file'}`,
    unavailable: () => null,
    start: async (context): Promise<RunningContender> => {
      started += 1;
      const dataDir = path.join(context.workDir, `jarsync-${options.name}-${started}`);
      const nodeFlags: string[] = [];
      if (context.profileDir !== null) {
        mkdirSync(context.profileDir, { recursive: true });
        // Node names each file by date, pid and thread. Piscina ends its threads with terminate(), which
        // writes no profile: what lands is the supervisor's (main thread) profile.
        nodeFlags.push('--cpu-prof', '--cpu-prof-dir', context.profileDir);
      }
      const args = [
        ...nodeFlags,
        CLI,
        'start',
        '--port', '0',
        '--data-dir', dataDir,
        '--resolve', `*.${context.origin.suffix}=127.0.0.1`,
        ...(trust === 'ca-file' ? ['--ca-file', context.origin.caFile] : []),
        ...(options.capture ? ['--domain', context.origin.suffix] : []),
        ...(options.workers === null ? [] : ['--workers', String(options.workers)]),
        // Scenario (f) holds 10,000 idle connections: above the default cap of 10,000
        // once the bench's own probes are counted.
        '--max-connections', '20000',
      ];
      // `domains:` is the last line `start` prints: every address is known by then.
      const env = trust === 'env' ? { ...process.env, NODE_EXTRA_CA_CERTS: context.origin.caFile } : process.env;
      const child = await startChild(options.name, { command: process.execPath, args, env, readyLine: /^domains: / });
      const lines = child.lines();
      const field = (name: string): string => {
        const line = lines.find((candidate) => candidate.startsWith(`${name}: `));
        if (line === undefined) throw new Error(`jarsync did not print its ${name}:\n${child.output()}`);
        return line.slice(name.length + 2);
      };
      const proxyUrl = new URL(field('proxy'));
      const admin = field('admin');
      const token = readFileSync(field('token'), 'utf8').trim();
      const caPem = readFileSync(field('ca'), 'utf8');
      return {
        name: options.name,
        proxy: { host: proxyUrl.hostname, port: Number(proxyUrl.port) },
        caPems: [caPem, context.origin.caPem],
        pid: child.pid,
        mints: async () => {
          if (admin === 'off') return null;
          const response = await fetch(`${admin}/api/status`, { headers: { authorization: `Bearer ${token}` } });
          if (!response.ok) return null;
          const status = (await response.json()) as { readonly certificates?: { readonly mints?: unknown } };
          const mints = status.certificates?.mints;
          return typeof mints === 'number' ? mints : null;
        },
        stop: () => child.stop(15_000),
      };
    },
  };
}
