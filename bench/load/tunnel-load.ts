/**
 * The bench's own load client, for what autocannon cannot do: HTTPS through
 * a CONNECT tunnel (and, for the same numbers, HTTPS straight to the origin).
 * One request at a time per connection, no pipelining, every latency kept.
 *
 *   keep-alive:      open N connections (CONNECT + TLS) ─▶ window opens ─▶ each loops GET … until the window ends
 *   new-connection:  N loops, each: connect, CONNECT, TLS, GET (Connection: close), close … until the window ends
 *
 * Bounded twice: by the window's length and by a count of requests; every
 * request and every set-up has a time-out.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { LatencyRecorder } from './latency-recorder.ts';
import { ErrorTally, errorKind, NO_HOOKS } from './load-result.ts';
import type { LoadResult, WindowHooks } from './load-result.ts';
import { openConnection } from './open-connection.ts';
import { ResponseReader } from './response-reader.ts';
import type { ConnectionTarget } from './target.ts';

export type ConnectionMode = 'keep-alive' | 'new-connection';

export interface TunnelLoadOptions {
  readonly target: ConnectionTarget;
  readonly mode: ConnectionMode;
  readonly connections: number;
  /** Load before the window opens, not counted (JIT, caches, pools). */
  readonly warmupMs: number;
  /** The measured window. */
  readonly durationMs: number;
  /** Stops earlier once this many requests have been sent in the window. */
  readonly maxRequests: number;
  /** Longest wait for a connection's set-up, and for one response. Defaults to 10 s. */
  readonly timeoutMs?: number;
  readonly hooks?: WindowHooks;
}

/** One request on a connection that is open and idle. Resolves with its status. */
export function requestOn(socket: net.Socket, reader: ReaderSlot, request: Buffer, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.waiting = null;
      reject(Object.assign(new Error('response timed out'), { code: 'TIMEOUT' }));
    }, timeoutMs);
    reader.waiting = {
      resolve: (status) => {
        clearTimeout(timer);
        resolve(status);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    };
    socket.write(request);
  });
}

/** A connection's response reader and whoever waits for its next response. */
export interface ReaderSlot {
  readonly reader: ResponseReader;
  waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | null;
}

/** Reads responses on `socket` and hands each to whoever waits for it. */
export function attachReader(socket: net.Socket): ReaderSlot {
  const slot: ReaderSlot = {
    reader: new ResponseReader((status) => {
      const waiting = slot.waiting;
      slot.waiting = null;
      waiting?.resolve(status);
    }),
    waiting: null,
  };
  const fail = (error: Error): void => {
    const waiting = slot.waiting;
    slot.waiting = null;
    waiting?.reject(error);
  };
  socket.on('data', (chunk: Buffer) => {
    slot.reader.feed(chunk);
    if (slot.reader.error !== null) {
      fail(Object.assign(new Error(slot.reader.error), { code: 'BAD_RESPONSE' }));
      socket.destroy();
    }
  });
  socket.on('error', fail);
  socket.on('close', () => {
    fail(Object.assign(new Error('connection closed'), { code: 'CLOSED' }));
  });
  return slot;
}

/** Opens a connection, sends one request asking to close, reads the answer, closes. Resolves with the status. */
export async function requestOnNewConnection(target: ConnectionTarget, timeoutMs: number): Promise<number> {
  const socket = await openConnection(target, timeoutMs);
  try {
    const slot = attachReader(socket);
    return await requestOn(socket, slot, target.closingRequest, timeoutMs);
  } finally {
    socket.end();
    // A peer that never answers our FIN must not keep the descriptor.
    setTimeout(() => socket.destroy(), 1_000).unref();
  }
}

export async function runTunnelLoad(options: TunnelLoadOptions): Promise<LoadResult> {
  const hooks = options.hooks ?? NO_HOOKS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const latencies = new LatencyRecorder();
  const errors = new ErrorTally();
  // Connections that failed to open before the window: reported, and counted as errors of the run.
  const setupErrors = new ErrorTally();
  let requests = 0;
  let sent = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let stopAt = Number.POSITIVE_INFINITY;

  /** Counts what completes inside the window; warm-up and tail are not measured. */
  const settle = (startedAt: number, outcome: number | Error): void => {
    const now = performance.now();
    if (startedAt < windowStart || now > windowEnd) return;
    requests += 1;
    if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) latencies.record(now - startedAt);
    else errors.add(typeof outcome === 'number' ? `status ${outcome}` : errorKind(outcome));
  };
  const mayStart = (): boolean => {
    const now = performance.now();
    if (now >= stopAt) return false;
    if (now >= windowStart) {
      if (sent >= options.maxRequests) return false;
      sent += 1;
    }
    return true;
  };

  const sockets: net.Socket[] = [];
  try {
    let loop: () => Promise<void>;
    if (options.mode === 'keep-alive') {
      // Set-up is not part of what is measured: every connection is open before the clock starts.
      const opened = await Promise.allSettled(Array.from({ length: options.connections }, () => openConnection(options.target, timeoutMs)));
      const slots: { socket: net.Socket; slot: ReaderSlot }[] = [];
      for (const result of opened) {
        if (result.status === 'fulfilled') {
          sockets.push(result.value);
          slots.push({ socket: result.value, slot: attachReader(result.value) });
        } else setupErrors.add(`set-up ${errorKind(result.reason)}`);
      }
      if (slots.length === 0) throw new Error(`no connection could be opened: ${JSON.stringify(setupErrors.kinds)}`);
      let next = 0;
      loop = async () => {
        const own = slots[next++ % slots.length];
        if (own === undefined) return;
        while (mayStart()) {
          const startedAt = performance.now();
          try {
            settle(startedAt, await requestOn(own.socket, own.slot, options.target.request, timeoutMs));
          } catch (error) {
            settle(startedAt, error as Error);
            return;
          }
        }
      };
    } else {
      loop = async () => {
        while (mayStart()) {
          const startedAt = performance.now();
          try {
            settle(startedAt, await requestOnNewConnection(options.target, timeoutMs));
          } catch (error) {
            settle(startedAt, error as Error);
            // A refused connection would otherwise spin: leave the loop a moment.
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
      };
    }

    const begin = performance.now();
    windowStart = begin + options.warmupMs;
    windowEnd = windowStart + options.durationMs;
    stopAt = windowEnd;
    const startTimer = setTimeout(hooks.onStart, Math.max(0, windowStart - performance.now()));
    let ended = false;
    const endWindow = (): void => {
      if (ended) return;
      ended = true;
      windowEnd = Math.min(windowEnd, performance.now());
      hooks.onEnd();
    };
    const endTimer = setTimeout(endWindow, Math.max(0, windowEnd - performance.now()));
    const loops = Array.from({ length: options.connections }, loop);
    await Promise.all(loops);
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    // Every loop ended early (the request count reached): the window ends now.
    if (performance.now() < windowStart) hooks.onStart();
    endWindow();
    return {
      requests,
      errors: errors.total + setupErrors.total,
      errorKinds: { ...setupErrors.kinds, ...errors.kinds },
      seconds: (windowEnd - Math.min(windowStart, windowEnd)) / 1000,
      latency: latencies.summary(),
    };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
