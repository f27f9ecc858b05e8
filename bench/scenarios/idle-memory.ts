/**
 * (f) Memory held per idle keep-alive connection. A fresh proxy per round;
 * after a warm-up, its resident memory is read, then N connections are
 * opened (100 at a time), each sends one request and stays open, idle; a
 * second later the memory is read again. KB per connection is the growth
 * divided by the connections held.
 *
 *   f-plain: TCP + one absolute-form GET each
 *   f-mitm:  TCP + CONNECT + TLS + one GET each (decrypted by the MITM proxies; a blind tunnel with capture off)
 *
 * RSS includes whatever garbage the runtime has not collected yet; nothing
 * can force another process's collector, so the figure is an upper bound.
 * The opening phase is measured too: its CPU per request is CPU per new
 * connection with one request.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Contender, RunningContender } from '../contenders/contender.ts';
import { LatencyRecorder } from '../load/latency-recorder.ts';
import { ErrorTally, errorKind } from '../load/load-result.ts';
import type { LoadResult } from '../load/load-result.ts';
import { openConnection } from '../load/open-connection.ts';
import { connectionTarget } from '../load/target.ts';
import type { ConnectionTarget, Scheme } from '../load/target.ts';
import { attachReader, requestOn, requestOnNewConnection } from '../load/tunnel-load.ts';
import { originHost } from '../origin/origin.ts';
import { processRssBytes } from '../process/proc-stat.ts';
import type { ProxyScenarioResult } from '../report/results.ts';
import { runLoadScenario } from './load-scenario.ts';
import { measure } from './measure.ts';
import type { ScenarioContext } from './scenario-context.ts';

const OPENING_AT_ONCE = 100;
const TIMEOUT_MS = 15_000;
const SETTLE_MS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function openIdle(target: ConnectionTarget, held: net.Socket[]): Promise<number> {
  const socket = await openConnection(target, TIMEOUT_MS);
  held.push(socket);
  const status = await requestOn(socket, attachReader(socket), target.request, TIMEOUT_MS);
  // An idle connection the proxy closes is not held: it no longer costs memory.
  socket.once('close', () => {
    const index = held.indexOf(socket);
    if (index >= 0) held.splice(index, 1);
  });
  return status;
}

async function holdConnections(context: ScenarioContext, running: RunningContender, scheme: Scheme): Promise<{ measurement: Awaited<ReturnType<typeof measure>>; extra: Record<string, number | null> }> {
  const { origin } = context.contenders;
  const { idleConnections, idleOpenTimeoutMs } = context.scale;
  const target = connectionTarget(running, origin, scheme, originHost(origin, 'idle'));
  const pid = running.pid;
  const held: net.Socket[] = [];
  try {
    for (let index = 0; index < 5; index += 1) await requestOnNewConnection(target, TIMEOUT_MS);
    await sleep(SETTLE_MS / 2);
    const before = pid === null ? null : processRssBytes(pid);
    const latencies = new LatencyRecorder();
    const errors = new ErrorTally();
    let began = 0;
    const measurement = await measure(running, origin, async (hooks): Promise<LoadResult> => {
      hooks.onStart();
      began = performance.now();
      const deadline = began + idleOpenTimeoutMs;
      let next = 0;
      const opener = async (): Promise<void> => {
        while (next < idleConnections && performance.now() < deadline) {
          next += 1;
          const started = performance.now();
          try {
            const status = await openIdle(target, held);
            if (status >= 200 && status < 300) latencies.record(performance.now() - started);
            else errors.add(`status ${status}`);
          } catch (error) {
            errors.add(errorKind(error));
          }
        }
      };
      await Promise.all(Array.from({ length: OPENING_AT_ONCE }, opener));
      hooks.onEnd();
      return { requests: next, errors: errors.total, errorKinds: errors.kinds, seconds: (performance.now() - began) / 1000, latency: latencies.summary() };
    });
    await sleep(SETTLE_MS);
    const after = pid === null ? null : processRssBytes(pid);
    const count = held.length;
    return {
      measurement,
      extra: {
        held: count,
        'KB/conn': before === null || after === null || count === 0 ? null : (after - before) / count / 1024,
        'RSS MB': after === null ? null : after / 2 ** 20,
      },
    };
  } finally {
    for (const socket of held.splice(0)) socket.destroy();
  }
}

export function runIdleMemory(context: ScenarioContext, contenders: readonly Contender[], scheme: Scheme): Promise<ProxyScenarioResult> {
  const count = context.scale.idleConnections;
  const proxies = contenders.filter((contender) => contender.name !== 'direct');
  return runLoadScenario(context, {
    id: scheme === 'http' ? 'f-plain' : 'f-mitm',
    title: `memory with ${count} idle keep-alive connections, ${scheme === 'http' ? 'plain HTTP' : 'HTTPS through CONNECT'}`,
    client: `bench client, ${count} connections opened ${OPENING_AT_ONCE} at a time, one request each, then held idle`,
    contenders: proxies,
    freshPerRound: true,
    notes: [
      'KB/conn = growth of the proxy\'s RSS (whole process) / connections held; req/s and CPU per request are those of opening them.',
      ...(scheme === 'https' ? ['jarsync capture off holds blind tunnels (no TLS at the proxy).'] : []),
    ],
    run: (running) => holdConnections(context, running, scheme),
  });
}
