/**
 * 10,000 idle connections held through jarsync at once, plain and decrypted:
 * how much memory each one costs the proxy, and whether a new client is still
 * served quickly while they are held.
 *
 *   node bench/hold-connections.ts [--connections=10000] [--kind=plain|mitm|both] [--opening=100]
 *
 *   for each kind, a fresh jarsync (the CLI, a child process, by PID):
 *     RSS ─▶ open N connections, `--opening` at a time, one request each, then idle ─▶ RSS, descriptors
 *         ─▶ probes: new clients (plain and HTTPS) served while the N are held ─▶ stop
 *
 * plain: TCP + one absolute-form GET; mitm: TCP + CONNECT + TLS (decrypted:
 * the origin's domain is synced) + one GET. Every connection and the whole run
 * are bounded in time. Open files: each held connection costs this process one
 * descriptor and jarsync one or two, so the script raises its own limit
 * (`prlimit --pid`, inherited by jarsync; as far as the hard limit allows
 * where raising it is not permitted) and reports the limits in force. jarsync
 * runs with `--max-connections 20000` (its default cap is 10,000 in all) and
 * `--idle-timeout 600000` (an idle connection is otherwise closed after 60 s,
 * before the last of 10,000 has opened). Not part of `npm test`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { ErrorTally, errorKind } from './load/load-result.ts';
import { openConnection } from './load/open-connection.ts';
import type { ConnectionTarget } from './load/target.ts';
import { attachReader, requestOn } from './load/tunnel-load.ts';
import { listenNodeOrigin, type NodeOrigin } from './origin/node-origin.ts';
import { missingOriginFiles, originFiles } from './origin/origin-files.ts';
import { stopAllChildren } from './process/child.ts';
import { startJarsync } from './process/jarsync-process.ts';
import { openFilesLimits, raiseOwnLimit } from './process/open-files.ts';
import { processRssBytes } from './process/proc-stat.ts';

const SUFFIX = 'bench.test';
const TIMEOUT_MS = 20_000;
const SETTLE_MS = 2_000;
const PROBES = 5;
/** The longest the opening phase may take; past it, what is open is measured. */
const OPEN_DEADLINE_MS = 300_000;

type Kind = 'plain' | 'mitm';

interface Options {
  readonly connections: number;
  readonly kinds: readonly Kind[];
  readonly opening: number;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  for (const arg of argv) if (!/^--(connections|kind|opening)=/.test(arg)) throw new Error(`unknown argument ${arg}`);
  const connections = Number(value('connections') ?? 10_000);
  const opening = Number(value('opening') ?? 100);
  const kind = value('kind') ?? 'both';
  if (!Number.isInteger(connections) || connections < 1 || connections > 100_000) throw new Error('--connections must be a whole number from 1 to 100000');
  if (!Number.isInteger(opening) || opening < 1 || opening > 1_000) throw new Error('--opening must be a whole number from 1 to 1000');
  if (kind !== 'plain' && kind !== 'mitm' && kind !== 'both') throw new Error('--kind must be plain, mitm or both');
  return { connections, opening, kinds: kind === 'both' ? ['plain', 'mitm'] : [kind] };
}

interface KindResult {
  readonly kind: Kind;
  readonly asked: number;
  readonly held: number;
  readonly openErrors: Readonly<Record<string, number>>;
  readonly openSeconds: number;
  readonly rssBeforeMb: number | null;
  readonly rssAfterMb: number | null;
  readonly kbPerConnection: number | null;
  readonly jarsyncDescriptors: number | null;
  readonly probes: readonly { readonly scheme: 'http' | 'https'; readonly status: number | string; readonly ms: number }[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function descriptors(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** An origin that answers every request with a short body: the held connections' one request each. */
async function startOrigin(): Promise<NodeOrigin> {
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3', 'set-cookie': 'seen=1; Path=/; Max-Age=60' }).end('ok\n');
  };
  const plain = http.createServer(handler);
  const secure = https.createServer({ cert: readFileSync(originFiles.certFile, 'utf8'), key: readFileSync(originFiles.keyFile, 'utf8') }, handler);
  return listenNodeOrigin(plain, secure);
}

function targetFor(proxy: { host: string; port: number }, scheme: 'http' | 'https', host: string, port: number, context: tls.SecureContext): { target: ConnectionTarget; request: Buffer } {
  const authority = `${host}:${port}`;
  return {
    target: { host: proxy.host, port: proxy.port, connect: scheme === 'https' ? authority : null, tls: scheme === 'https' ? { servername: host, context } : null, request: Buffer.alloc(0), closingRequest: Buffer.alloc(0) },
    request: Buffer.from(`GET ${scheme === 'http' ? `http://${authority}` : ''}/held HTTP/1.1\r\nHost: ${authority}\r\n\r\n`),
  };
}

async function runKind(kind: Kind, options: Options, workDir: string, origin: { httpPort: number; httpsPort: number }): Promise<KindResult> {
  const jarsync = await startJarsync({
    dataDir: path.join(workDir, `data-${kind}`),
    openFiles: 2 * options.connections + 2_000,
    flags: ['--domain', SUFFIX, '--resolve', `*.${SUFFIX}=127.0.0.1`, '--max-connections', '20000', '--idle-timeout', '600000'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: originFiles.caFile },
  });
  const held: net.Socket[] = [];
  try {
    const context = tls.createSecureContext({ ca: [jarsync.caPem] });
    const scheme = kind === 'plain' ? 'http' : 'https';
    const { target, request } = targetFor(jarsync.proxy, scheme, `idle.${SUFFIX}`, scheme === 'http' ? origin.httpPort : origin.httpsPort, context);
    const once = async (): Promise<{ socket: net.Socket; status: number }> => {
      const socket = await openConnection(target, TIMEOUT_MS);
      return { socket, status: await requestOn(socket, attachReader(socket), request, TIMEOUT_MS) };
    };
    // Warm-up: the certificate is minted and the upstream pool started before the memory is read.
    for (let index = 0; index < 5; index += 1) (await once()).socket.destroy();
    await sleep(SETTLE_MS);
    const rssBefore = processRssBytes(jarsync.pid);

    const errors = new ErrorTally();
    const began = performance.now();
    let next = 0;
    const opener = async (): Promise<void> => {
      while (next < options.connections && performance.now() - began < OPEN_DEADLINE_MS) {
        next += 1;
        try {
          const { socket, status } = await once();
          if (status !== 200) {
            errors.add(`status ${status}`);
            socket.destroy();
            continue;
          }
          held.push(socket);
          socket.once('close', () => {
            const index = held.indexOf(socket);
            if (index >= 0) held.splice(index, 1);
          });
        } catch (error) {
          errors.add(errorKind(error));
        }
      }
    };
    await Promise.all(Array.from({ length: options.opening }, opener));
    const openSeconds = (performance.now() - began) / 1000;
    process.stderr.write(`hold-connections: ${kind}: ${held.length} of ${options.connections} open after ${openSeconds.toFixed(1)} s\n`);
    await sleep(SETTLE_MS);
    const rssAfter = processRssBytes(jarsync.pid);

    const probes: { scheme: 'http' | 'https'; status: number | string; ms: number }[] = [];
    for (let index = 0; index < PROBES; index += 1) {
      for (const probeScheme of ['http', 'https'] as const) {
        const probe = targetFor(jarsync.proxy, probeScheme, `probe${index}.${SUFFIX}`, probeScheme === 'http' ? origin.httpPort : origin.httpsPort, context);
        const started = performance.now();
        try {
          const socket = await openConnection(probe.target, TIMEOUT_MS);
          const status = await requestOn(socket, attachReader(socket), probe.request, TIMEOUT_MS);
          socket.destroy();
          probes.push({ scheme: probeScheme, status, ms: performance.now() - started });
        } catch (error) {
          probes.push({ scheme: probeScheme, status: errorKind(error), ms: performance.now() - started });
        }
      }
    }
    return {
      kind,
      asked: options.connections,
      held: held.length,
      openErrors: errors.kinds,
      openSeconds,
      rssBeforeMb: rssBefore === null ? null : rssBefore / 2 ** 20,
      rssAfterMb: rssAfter === null ? null : rssAfter / 2 ** 20,
      kbPerConnection: rssBefore === null || rssAfter === null || held.length === 0 ? null : (rssAfter - rssBefore) / held.length / 1024,
      jarsyncDescriptors: descriptors(jarsync.pid),
      probes,
    };
  } finally {
    for (const socket of held.splice(0)) socket.destroy();
    await jarsync.stop(15_000);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const missing = missingOriginFiles();
  if (missing !== null) throw new Error(missing);
  const limits = raiseOwnLimit(options.connections + 2_000);
  process.stderr.write(`hold-connections: open files: this process soft ${limits?.soft ?? '?'}, hard ${limits?.hard ?? '?'}\n`);
  const workDir = mkdtempSync(path.join(tmpdir(), 'jarsync-hold-'));
  const origin = await startOrigin();
  try {
    const results: KindResult[] = [];
    for (const kind of options.kinds) results.push(await runKind(kind, options, workDir, origin));
    const lines = [`hold-connections: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, open files ${openFilesLimits()?.soft ?? '?'}`];
    for (const result of results) {
      const worst = Math.max(...result.probes.map((probe) => probe.ms));
      const failed = result.probes.filter((probe) => probe.status !== 200);
      lines.push(
        `${result.kind}: ${result.held} of ${result.asked} held (opened in ${result.openSeconds.toFixed(1)} s; errors ${JSON.stringify(result.openErrors)}); ` +
          `RSS ${result.rssBeforeMb?.toFixed(0) ?? '?'} → ${result.rssAfterMb?.toFixed(0) ?? '?'} MB, ${result.kbPerConnection?.toFixed(1) ?? '?'} KB per connection; ` +
          `jarsync descriptors ${result.jarsyncDescriptors ?? '?'}; new clients meanwhile: ${result.probes.length - failed.length} of ${result.probes.length} served, slowest ${worst.toFixed(1)} ms`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    const passed = results.every((result) => result.held === result.asked && result.probes.every((probe) => probe.status === 200));
    return passed ? 0 : 1;
  } finally {
    await stopAllChildren();
    await origin.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`hold-connections: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
