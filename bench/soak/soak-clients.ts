/**
 * The soak's clients: many virtual clients, each on a keep-alive connection
 * through the proxy (plain HTTP as absolute-form requests, HTTPS through
 * CONNECT and TLS, decrypted by jarsync), one request at a time, at a steady
 * total rate shared by all. Each request sets, changes or deletes one to three
 * of the client's own cookies (soak-cookies.ts); a connection is replaced
 * every `requestsPerConnection` requests, so handshakes and new tunnels go on
 * all along.
 *
 *   pace (total rate) ─▶ client k: connection? open (TCP [+ CONNECT + TLS]) ─▶ GET /soak?c=k&ops=… ─▶ 200
 *                                                   └─ any failure: counted by kind, its cookies marked uncertain
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { LatencyRecorder } from '../load/latency-recorder.ts';
import type { LatencySummary } from '../load/latency-recorder.ts';
import { ErrorTally, errorKind } from '../load/load-result.ts';
import { openConnection } from '../load/open-connection.ts';
import type { ConnectionTarget } from '../load/target.ts';
import { attachReader, requestOn } from '../load/tunnel-load.ts';
import type { ReaderSlot } from '../load/tunnel-load.ts';
import { clientHost, clientScheme, cookieKey, KEYS_PER_CLIENT, opsQuery } from './soak-cookies.ts';
import type { CookieOp } from './soak-cookies.ts';

export interface SoakClientsOptions {
  readonly proxy: { readonly host: string; readonly port: number };
  readonly suffix: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** Roots the clients trust: jarsync's CA (it decrypts the synced hosts). */
  readonly caPems: readonly string[];
  readonly clients: number;
  /** Requests per second, all clients together. */
  readonly rate: number;
  /** Share of the clients that use HTTPS, 0 … 1. */
  readonly httpsShare: number;
  readonly requestsPerConnection: number;
  /** Longest wait for a connection or a response. */
  readonly timeoutMs: number;
  /** When to stop sending (performance.now() time). */
  readonly untilMs: number;
}

export interface SoakClientsResult {
  readonly requests: number;
  readonly ok: number;
  readonly errors: ErrorTally;
  readonly connections: number;
  readonly latency: LatencySummary;
  /** Cookies whose last request failed: the jar may hold either value. */
  readonly uncertain: ReadonlySet<string>;
}

/** Hands out send times `1000 / rate` ms apart: the clients together keep the rate, none runs ahead. */
class Pace {
  readonly #gapMs: number;
  #next = performance.now();

  constructor(rate: number) {
    this.#gapMs = 1000 / rate;
  }

  async wait(): Promise<void> {
    const now = performance.now();
    // A pace that fell behind (a slow response) does not burst to catch up.
    const at = Math.max(now, this.#next);
    this.#next = at + this.#gapMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}

export async function runSoakClients(options: SoakClientsOptions): Promise<SoakClientsResult> {
  const pace = new Pace(options.rate);
  const errors = new ErrorTally();
  const latency = new LatencyRecorder();
  const uncertain = new Set<string>();
  const context = tls.createSecureContext({ ca: [...options.caPems] });
  let requests = 0;
  let ok = 0;
  let connections = 0;

  const client = async (index: number): Promise<void> => {
    const scheme = clientScheme(index, options.httpsShare);
    const host = clientHost(index, options.suffix);
    const authority = `${host}:${scheme === 'https' ? options.httpsPort : options.httpPort}`;
    const target: ConnectionTarget = {
      host: options.proxy.host,
      port: options.proxy.port,
      connect: scheme === 'https' ? authority : null,
      tls: scheme === 'https' ? { servername: host, context } : null,
      request: Buffer.alloc(0),
      closingRequest: Buffer.alloc(0),
    };
    const prefix = scheme === 'https' ? '' : `http://${authority}`;
    const held = new Array<boolean>(KEYS_PER_CLIENT).fill(false);
    let sequence = 0;
    let connection: { readonly socket: net.Socket; readonly slot: ReaderSlot; used: number; closed: boolean } | null = null;

    while (performance.now() < options.untilMs) {
      await pace.wait();
      if (performance.now() >= options.untilMs) break;
      const ops = chooseOps(held, () => `v${index}x${(sequence += 1)}`);
      requests += 1;
      const began = performance.now();
      try {
        if (connection === null || connection.closed || connection.used >= options.requestsPerConnection) {
          connection?.socket.destroy();
          const socket = await openConnection(target, options.timeoutMs);
          connections += 1;
          const opened = { socket, slot: attachReader(socket), used: 0, closed: false };
          socket.once('close', () => {
            opened.closed = true;
          });
          connection = opened;
        }
        connection.used += 1;
        const request = Buffer.from(`GET ${prefix}/soak?${opsQuery(index, ops)} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: jarsync-soak\r\n\r\n`);
        const status = await requestOn(connection.socket, connection.slot, request, options.timeoutMs);
        if (status !== 200) throw Object.assign(new Error(`status ${status}`), { code: `status ${status}` });
        ok += 1;
        latency.record(performance.now() - began);
        for (const op of ops) held[op.key] = op.value !== null;
      } catch (error) {
        errors.add(errorKind(error));
        for (const op of ops) {
          uncertain.add(cookieKey(index, op.key, options.suffix).id);
          // Whether the origin saw it is unknown; what is held is then unknown too.
          held[op.key] = op.value !== null;
        }
        connection?.socket.destroy();
        connection = null;
      }
    }
    connection?.socket.destroy();
  };

  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  return { requests, ok, errors, connections, latency: latency.summary(), uncertain };
}

/** One to three distinct cookies of the client: a cookie it holds is changed (70 %) or deleted, one it does not is set. */
function chooseOps(held: readonly boolean[], nextValue: () => string): CookieOp[] {
  const count = 1 + Math.floor(Math.random() * 3);
  const keys = new Set<number>();
  while (keys.size < count) keys.add(Math.floor(Math.random() * held.length));
  return [...keys].map((key) => ({ key, value: held[key] === true && Math.random() < 0.3 ? null : nextValue() }));
}
