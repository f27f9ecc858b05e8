/**
 * The connection workers, run as long-lived piscina tasks: one serve task per
 * thread, each with its own reusePort listener on the proxy port.
 *
 *   ConnectionPool ──run(ServeTask + 3 ports)──▶ piscina thread k ── workers/serve-task.ts
 *     control (comlink) ──▶ setDomains, setSyncing, listen, unlisten, stats, drain
 *     cert    (comlink) ◀── leafFor(host)
 *     events  (batches) ◀── EventBatch …, then EventsDrained once drained
 *
 * A thread that dies rejects its task; the slot is started again on a fresh
 * thread (piscina replaces the thread), told the current domains and syncing
 * state, and put back on the port if the proxy is listening. Only that
 * thread's connections are lost.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { Piscina } from 'piscina';
import type { DomainRule } from '../domains/domain-rule.ts';
import { JarsyncError, deserializeError, isErrorCode } from '../errors.ts';
import type { CertService, ConnectionWorkerControl, EventBatch, EventsMessage, ProxySettings, ServeTask, WorkerStats } from '../workers/protocol.ts';
import type { WorkerStatus } from './supervisor-api.ts';

const SERVE_TASK_URL = new URL('../workers/serve-task.ts', import.meta.url);

/** A control call that takes longer than this means the thread is stuck or gone. */
const CONTROL_CALL_TIMEOUT_MS = 5_000;

export interface ConnectionPoolOptions {
  readonly workers: number;
  readonly settings: ProxySettings;
  readonly certs: CertService;
  readonly onEvents: (batch: EventBatch) => void;
  /** The current domain list and syncing state, for a slot that starts or restarts. */
  readonly domains: () => readonly DomainRule[];
  readonly syncing: () => boolean;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

interface Slot {
  readonly index: number;
  /** Resolves when the worker's events port has delivered its last batch. */
  eventsDrained: Promise<void>;
  control: Comlink.Remote<ConnectionWorkerControl> | null;
  ports: MessagePort[];
  task: Promise<unknown> | null;
  restarts: number;
  last: WorkerStats | null;
}

function rebuild(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (isErrorCode(code) && typeof message === 'string') return deserializeError({ code, message });
  }
  return new JarsyncError('JARSYNC_ERR_WORKER', String(error));
}

type PiscinaTransferList = NonNullable<NonNullable<Parameters<Piscina['run']>[1]>['transferList']>;

/**
 * piscina derives its transfer-list type from MessagePort.postMessage, whose
 * last overload in @types/node is the options-object form; piscina itself wants
 * (and checks for) an array.
 */
function transferList(...ports: MessagePort[]): PiscinaTransferList {
  return ports as unknown as PiscinaTransferList;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new JarsyncError('JARSYNC_ERR_WORKER', `${what} did not answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class ConnectionPool {
  readonly #options: ConnectionPoolOptions;
  readonly #pool: Piscina<ServeTask, number>;
  readonly #slots: Slot[];
  #listenAt: { host: string; port: number } | null = null;
  #stopping = false;

  constructor(options: ConnectionPoolOptions) {
    this.#options = options;
    this.#pool = new Piscina<ServeTask, number>({
      filename: SERVE_TASK_URL.href,
      minThreads: options.workers,
      maxThreads: options.workers,
      concurrentTasksPerWorker: 1,
      // A serve task never finishes while the proxy runs; the thread's event
      // loop must stay free, never parked in Atomics.wait between tasks.
      atomics: 'disabled',
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // A dying thread is reported here as well as through its task; the task's
    // rejection is where the slot is restarted.
    this.#pool.on('error', () => undefined);
    this.#slots = Array.from({ length: options.workers }, (_, index) => ({
      index,
      eventsDrained: Promise.resolve(),
      control: null,
      ports: [],
      task: null,
      restarts: 0,
      last: null,
    }));
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Starts every worker and waits until each answers. */
  async start(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => this.#startSlot(slot)));
  }

  /**
   * Puts every worker on `host:port`. With port 0 the first worker picks a free
   * port and the others join it there, since reusePort shares one port.
   */
  async listen(host: string, port: number): Promise<number> {
    const [first, ...rest] = this.#slots;
    if (first === undefined) throw new JarsyncError('JARSYNC_ERR_WORKER', 'no connection workers');
    const bound = await this.#call(first, (control) => control.listen(host, port));
    try {
      await Promise.all(rest.map((slot) => this.#call(slot, (control) => control.listen(host, bound))));
    } catch (error) {
      await this.unlisten();
      throw error;
    }
    this.#listenAt = { host, port: bound };
    return bound;
  }

  async unlisten(): Promise<void> {
    this.#listenAt = null;
    await Promise.all(this.#slots.map((slot) => this.#call(slot, (control) => control.unlisten())));
  }

  /** Tells every worker the new list; it applies to the next request. */
  setDomains(domains: readonly DomainRule[]): void {
    for (const slot of this.#slots) void slot.control?.setDomains(domains).catch(() => undefined);
  }

  setSyncing(syncing: boolean): void {
    for (const slot of this.#slots) void slot.control?.setSyncing(syncing).catch(() => undefined);
  }

  async stats(): Promise<WorkerStatus[]> {
    return Promise.all(
      this.#slots.map(async (slot): Promise<WorkerStatus> => {
        try {
          const stats = await this.#call(slot, (control) => control.stats());
          slot.last = stats;
          return { ...stats, restarts: slot.restarts, alive: true };
        } catch {
          const last = slot.last;
          return {
            index: slot.index,
            threadId: last?.threadId ?? -1,
            listening: false,
            connectionsOpen: 0,
            connectionsTotal: last?.connectionsTotal ?? 0,
            requestsTotal: last?.requestsTotal ?? 0,
            tunnelsBlind: last?.tunnelsBlind ?? 0,
            tunnelsDecrypted: last?.tunnelsDecrypted ?? 0,
            upstreamErrors: last?.upstreamErrors ?? 0,
            connectionsRefused: last?.connectionsRefused ?? 0,
            clientsDenied: last?.clientsDenied ?? 0,
            authRefused: last?.authRefused ?? 0,
            clientTimeouts: last?.clientTimeouts ?? 0,
            targetsRefused: last?.targetsRefused ?? 0,
            eventsSent: last?.eventsSent ?? 0,
            requestsHeld: last?.requestsHeld ?? 0,
            requestsBusy: last?.requestsBusy ?? 0,
            cpuMicros: last?.cpuMicros ?? 0,
            restarts: slot.restarts,
            alive: false,
          };
        }
      }),
    );
  }

  /**
   * Lets every worker finish its requests in flight (up to `timeoutMs`), then
   * stops the threads. With `timeoutMs` 0 everything is closed at once.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    this.#listenAt = null;
    await Promise.all(
      this.#slots.map(async (slot) => {
        try {
          await this.#call(slot, (control) => control.drain(timeoutMs), timeoutMs + CONTROL_CALL_TIMEOUT_MS);
          // The last batch travels on the events port: wait for it before the ports close.
          await withTimeout(slot.eventsDrained, CONTROL_CALL_TIMEOUT_MS, `worker ${slot.index}'s last events`);
          await withTimeout(slot.task ?? Promise.resolve(), CONTROL_CALL_TIMEOUT_MS, `worker ${slot.index}`);
        } catch {
          // A worker that cannot drain is stopped with the pool below.
        }
        this.#closeSlot(slot);
      }),
    );
    await this.#pool.destroy();
  }

  /**
   * Ends worker `index`'s thread now. Its connections are lost; the slot starts
   * again on a fresh thread (and rejoins the port) as after any crash. The pool
   * does this itself to a worker that stops answering its control calls.
   */
  async terminate(index: number): Promise<void> {
    const slot = this.#slots[index];
    if (slot === undefined) throw new JarsyncError('JARSYNC_ERR_NOT_FOUND', `there is no connection worker ${index}`);
    const threadId = slot.last?.threadId;
    const thread = this.#pool.threads.find((worker) => worker.threadId === threadId);
    if (thread === undefined) throw new JarsyncError('JARSYNC_ERR_WORKER', `connection worker ${index} has no thread to end`);
    await thread.terminate();
  }

  /** Cuts a drain in progress short: every worker closes what it still holds now. */
  abort(): void {
    for (const slot of this.#slots) void slot.control?.drain(0).catch(() => undefined);
  }

  async #startSlot(slot: Slot): Promise<void> {
    const control = new MessageChannel();
    const cert = new MessageChannel();
    const events = new MessageChannel();
    const task: ServeTask = {
      kind: 'serve',
      index: slot.index,
      settings: this.#options.settings,
      domains: this.#options.domains(),
      syncing: this.#options.syncing(),
      controlPort: control.port2,
      certPort: cert.port2,
      eventsPort: events.port2,
    };
    Comlink.expose({ leafFor: (host: string) => this.#options.certs.leafFor(host) }, cert.port1);
    const drained = Promise.withResolvers<undefined>();
    slot.eventsDrained = drained.promise;
    events.port1.on('message', (message: EventsMessage) => {
      if (message.kind === 'events') this.#options.onEvents(message);
      else drained.resolve(undefined);
    });
    slot.ports = [control.port1, cert.port1, events.port1];
    slot.control = Comlink.wrap<ConnectionWorkerControl>(control.port1);
    slot.task = this.#pool.run(task, { transferList: transferList(control.port2, cert.port2, events.port2) }).then(
      () => undefined,
      (error: unknown) => {
        this.#onSlotDied(slot, error);
      },
    );
    // The first answer proves the thread has loaded and exposed its control.
    slot.last = await this.#call(slot, (remote) => remote.stats(), 30_000);
  }

  #onSlotDied(slot: Slot, error: unknown): void {
    this.#closeSlot(slot);
    // The dead thread's connections are gone, and it can no longer count them
    // down: its slot of the shared connection counts starts again at zero.
    const counts = this.#options.settings.clients?.connectionCounts;
    if (counts !== undefined && counts.byteLength >= (slot.index + 1) * Int32Array.BYTES_PER_ELEMENT) {
      Atomics.store(new Int32Array(counts), slot.index, 0);
    }
    if (this.#stopping) return;
    slot.restarts += 1;
    this.#options.log('error', `connection worker ${slot.index} died (${rebuild(error).message}); starting a new one`);
    void (async () => {
      try {
        await this.#startSlot(slot);
        const at = this.#listenAt;
        if (at !== null) await this.#call(slot, (control) => control.listen(at.host, at.port));
      } catch (restartError) {
        this.#options.log('error', `connection worker ${slot.index} could not be restarted: ${rebuild(restartError).message}`);
      }
    })();
  }

  #closeSlot(slot: Slot): void {
    slot.control?.[Comlink.releaseProxy]();
    slot.control = null;
    for (const port of slot.ports) port.close();
    slot.ports = [];
  }

  async #call<T>(slot: Slot, call: (control: Comlink.Remote<ConnectionWorkerControl>) => Promise<T>, timeoutMs = CONTROL_CALL_TIMEOUT_MS): Promise<T> {
    const control = slot.control;
    if (control === null) throw new JarsyncError('JARSYNC_ERR_WORKER', `connection worker ${slot.index} is not running`);
    try {
      return await withTimeout(call(control), timeoutMs, `connection worker ${slot.index}`);
    } catch (error) {
      if (error instanceof JarsyncError && error.code === 'JARSYNC_ERR_WORKER' && !this.#stopping && slot.control === control) {
        // A worker that does not answer is stuck (a busy loop, a deadlock): replace it.
        this.#options.log('error', `${error.message}; replacing it`);
        void this.terminate(slot.index).catch(() => undefined);
      }
      throw rebuild(error);
    }
  }
}
