/**
 * A ProxyEngine in the test's own thread, listening on 127.0.0.1 port 0, with
 * the cookie events it sends kept in an array; and an origin scripted byte by
 * byte, for responses a well-behaved server library will not send.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { CookieEvent } from '../../../src/cookie-event.ts';
import { parseDomainRule } from '../../../src/domains/parse-domain.ts';
import { ProxyEngine } from '../../../src/proxy/engine/proxy-engine.ts';
import type { ProxySettings } from '../../../src/workers/protocol.ts';
import { originCaPem } from '../../helpers/origin-tls.ts';

export interface RunningEngine {
  readonly engine: ProxyEngine;
  readonly port: number;
  readonly events: CookieEvent[];
  close(): Promise<void>;
}

export const ENGINE_SETTINGS: ProxySettings = {
  caCertPem: originCaPem,
  leafKeyPem: '',
  upstreamCaPems: [],
  insecureUpstream: false,
  resolve: [{ pattern: '*.test', address: '127.0.0.1' }],
  upstreamConnectTimeoutMs: 5_000,
  upstreamResponseTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  protectedPorts: [],
  eventBatchSize: 64,
};

export async function startEngine(settings: Partial<ProxySettings> = {}, domains: readonly string[] = []): Promise<RunningEngine> {
  const events: CookieEvent[] = [];
  const engine = new ProxyEngine({
    index: 0,
    threadId: 0,
    settings: { ...ENGINE_SETTINGS, ...settings },
    domains: domains.map(parseDomainRule),
    syncing: true,
    certs: { leafFor: () => Promise.reject(new Error('no certificates in this test')) },
    sendEvents: (batch) => events.push(...batch),
  });
  const port = await engine.listen('127.0.0.1', 0);
  return { engine, port, events, close: () => engine.drain(1_000) };
}

/** One connection to a scripted origin: what it received so far, and its socket to answer on. */
export interface OriginConnection {
  readonly socket: net.Socket;
  readonly index: number;
  received(): string;
  /** Resolves once the received bytes contain `text` `count` times. */
  waitFor(text: string, count?: number): Promise<void>;
}

export interface ScriptedOrigin {
  readonly port: number;
  readonly connections: OriginConnection[];
  close(): Promise<void>;
}

/** An origin whose every connection goes to `onConnection`, to be answered by hand. */
export async function startScriptedOrigin(onConnection: (connection: OriginConnection) => void): Promise<ScriptedOrigin> {
  const connections: OriginConnection[] = [];
  const server = net.createServer((socket) => {
    let text = '';
    const waiters = new Set<() => void>();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      for (const waiter of waiters) waiter();
    });
    const connection: OriginConnection = {
      socket,
      index: connections.length,
      received: () => text,
      waitFor: (wanted, count = 1) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`origin: no ${JSON.stringify(wanted)} ×${count} within 5 s: ${JSON.stringify(text.slice(0, 300))}`));
          }, 5_000);
          const check = (): void => {
            if (text.split(wanted).length - 1 < count) return;
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          };
          waiters.add(check);
          check();
        }),
    };
    connections.push(connection);
    onConnection(connection);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const connection of connections) connection.socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Waits until `received()` holds `text` `count` times (or fails after `timeoutMs`). */
export async function until(received: () => string, text: string, count = 1, timeoutMs = 5_000): Promise<void> {
  const started = performance.now();
  while (received().split(text).length - 1 < count) {
    if (performance.now() - started > timeoutMs) throw new Error(`no ${JSON.stringify(text)} ×${count} within ${timeoutMs} ms: ${JSON.stringify(received().slice(0, 400))}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
