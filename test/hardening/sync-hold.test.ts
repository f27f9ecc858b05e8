/**
 * Back-pressure from the jar to the workers, with real worker threads, a real
 * origin and a real jar actor whose mailbox is tiny and paused: once the
 * backlog passes its high-water mark, new requests to synced origins (plain
 * and decrypted) wait, unsynced ones do not; when the jar goes on they are
 * forwarded; one that waits past the upstream response timeout gets 503
 * JARSYNC_ERR_BUSY; and no cookie event is lost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NODE_TIMERS } from '../../src/actors/actor-timers.ts';
import type { ActorTimers } from '../../src/actors/actor-timers.ts';
import { JarActor } from '../../src/actors/jar-actor.ts';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';
import { MemoryJarStore } from '../../src/store/memory-jar-store.ts';
import { createCertService } from '../../src/supervisor/cert-service.ts';
import type { RunningCertService } from '../../src/supervisor/cert-service.ts';
import { ConnectionPool } from '../../src/supervisor/connection-pool.ts';
import { CookiePipeline } from '../../src/supervisor/cookie-pipeline.ts';
import { createLeafKey } from '../../src/tls/leaf-key.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { originCaPem } from '../helpers/origin-tls.ts';
import type { ProxiedResponse } from '../helpers/proxy-client.ts';
import { proxyHttpsRequest, proxyRequest } from '../helpers/proxy-client.ts';
import { createTempCa } from '../tls/temp-ca.ts';
import type { TempCa } from '../tls/temp-ca.ts';

const RESPONSE_TIMEOUT_MS = 1_500;
const SYNCED = parseDomainRule('origin.test');

/** The jar's mailbox slices wait while paused. */
const paused = { on: true, waiting: [] as (() => void)[] };
const timers: ActorTimers = {
  setTimeout: NODE_TIMERS.setTimeout,
  setImmediate: (callback) => {
    if (paused.on) paused.waiting.push(callback);
    else setImmediate(callback);
  },
};
function resumeJar(): void {
  paused.on = false;
  for (const callback of paused.waiting.splice(0)) setImmediate(callback);
}

let plain: Origin;
let secure: Origin;
let temp: TempCa;
let certs: RunningCertService;
let pipeline: CookiePipeline;
let jar: JarActor;
let pool: ConnectionPool;
let port: number;
/** Responses of the synced host. */
let served = 0;
const logs: string[] = [];

beforeAll(async () => {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    // Only what the synced host answers becomes cookie events.
    if (req.headers.host?.startsWith('free.') === true) {
      res.end('free');
      return;
    }
    served += 1;
    res.setHeader('set-cookie', [`a${served}=1; Path=/; Max-Age=3600`, `b${served}=1; Path=/; Max-Age=3600`]);
    res.end('ok');
  };
  [plain, secure, temp] = await Promise.all([startOrigin(handler), startOrigin(handler, { tls: true }), createTempCa()]);
  const leafKey = await createLeafKey();
  certs = createCertService({ ca: temp.ca, leafKey, minThreads: 1, maxThreads: 1 });
  pipeline = new CookiePipeline({ domains: [SYNCED], backlogCapacity: 1_000, holdHighWater: 6, holdLowWater: 2, log: (level, message) => logs.push(`${level}: ${message}`) });
  jar = JarActor.open({ store: new MemoryJarStore(), mailboxCapacity: 4, timers, onRoom: pipeline.roomMade });
  pipeline.connect(jar);
  pool = new ConnectionPool({
    workers: 2,
    settings: {
      caCertPem: temp.ca.certPem,
      leafKeyPem: leafKey.privateKeyPem,
      upstreamCaPems: [originCaPem],
      insecureUpstream: false,
      resolve: [{ pattern: '*.test', address: '127.0.0.1' }],
      upstreamConnectTimeoutMs: 5_000,
      upstreamResponseTimeoutMs: RESPONSE_TIMEOUT_MS,
      idleTimeoutMs: 60_000,
      protectedPorts: [],
      eventBatchSize: 64,
      syncHold: pipeline.holdBuffer,
    },
    certs,
    onEvents: (batch) => {
      pipeline.push(batch.events);
    },
    domains: () => [SYNCED],
    syncing: () => true,
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  await pool.start();
  port = await pool.listen('127.0.0.1', 0);
});

afterAll(async () => {
  resumeJar();
  await pool.drain(1_000);
  await pipeline.settled(5_000);
  await jar.close();
  pipeline.complete();
  await certs.close();
  await Promise.all([plain.close(), secure.close()]);
  temp.remove();
});

const flag = (): number => Atomics.load(new Int32Array(pipeline.holdBuffer), 0);
const synced = (path: string): Promise<ProxiedResponse> => proxyRequest(port, `http://hold.origin.test:${plain.port}${path}`);
const workers = async (): Promise<{ held: number; busy: number }> => {
  const stats = await pool.stats();
  return { held: stats.reduce((sum, worker) => sum + worker.requestsHeld, 0), busy: stats.reduce((sum, worker) => sum + worker.requestsBusy, 0) };
};

/** Sends synced requests until their events have pushed the backlog past the high-water mark. */
async function fillBacklog(): Promise<void> {
  for (let index = 0; flag() === 0 && index < 20; index += 1) {
    expect((await synced(`/fill-${index}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(flag()).toBe(1);
}

/** A promise's outcome so far, without waiting for it. */
function watch<T>(promise: Promise<T>): { done: boolean; promise: Promise<T> } {
  const state = { done: false, promise };
  void promise.then(() => (state.done = true), () => (state.done = true));
  return state;
}

describe('a jar that falls behind', () => {
  it('holds new synced requests, plain and decrypted, and not unsynced ones, until it catches up', async () => {
    await fillBacklog();
    expect(pipeline.counts.hold).toMatchObject({ engaged: true, times: 1 });

    const began = performance.now();
    const heldPlain = watch(synced('/held'));
    const heldSecure = watch(proxyHttpsRequest(port, `https://hold.origin.test:${secure.port}/held`, { ca: temp.ca.certPem }));
    const free = await proxyRequest(port, `http://free.test:${plain.port}/free`);
    expect(free.status).toBe(200);
    expect(performance.now() - began).toBeLessThan(RESPONSE_TIMEOUT_MS / 2);
    await vi.waitFor(async () => {
      expect((await workers()).held).toBe(2);
    });
    expect(heldPlain.done || heldSecure.done).toBe(false);

    resumeJar();
    const [plainAnswer, secureAnswer] = await Promise.all([heldPlain.promise, heldSecure.promise]);
    expect([plainAnswer.status, secureAnswer.status]).toEqual([200, 200]);
    expect(flag()).toBe(0);
    expect(pipeline.counts.hold).toMatchObject({ engaged: false, times: 1 });
    expect(pipeline.counts.hold.engagedMs).toBeGreaterThan(0);
  });

  it('answers 503 JARSYNC_ERR_BUSY with Retry-After to a request held past the response timeout, and loses no event', async () => {
    paused.on = true;
    await fillBacklog();
    const began = performance.now();
    const answer = await synced('/too-long');
    expect(performance.now() - began).toBeGreaterThanOrEqual(RESPONSE_TIMEOUT_MS - 50);
    expect(answer.status).toBe(503);
    expect(answer.headers['x-jarsync-error']).toBe('JARSYNC_ERR_BUSY');
    expect(answer.headers['retry-after']).toBe('5');
    expect(await workers()).toMatchObject({ busy: 1 });

    resumeJar();
    expect(await pipeline.settled(5_000)).toBe(true);
    await jar.flush();
    // Every cookie every forwarded response set is in the jar: two per response.
    const names = new Set((await jar.cookies()).map((cookie) => cookie.key));
    expect(names.size).toBe(served * 2);
    expect(pipeline.counts).toMatchObject({ lost: 0, received: served * 2, hold: { times: 2 } });
    expect(logs.join('\n')).toMatch(/the jar is behind/);
  });
});
