/**
 * The connection worker: a piscina task that runs for the worker's whole life.
 * It serves the proxy on its own reusePort listener, takes orders over its
 * control port, asks the supervisor for certificates over its cert port, and
 * posts cookie events in batches on its events port. The task returns once the
 * supervisor has drained it.
 */
import { threadId } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { serializeError } from '../errors.ts';
import { ProxyEngine } from '../proxy/engine/proxy-engine.ts';
import type { CertService, ConnectionWorkerControl, EventBatch, EventsDrained, ServeTask } from './protocol.ts';

export default async function serve(task: ServeTask): Promise<number> {
  const certs = Comlink.wrap<CertService>(task.certPort);
  const server = new ProxyEngine({
    index: task.index,
    threadId,
    settings: task.settings,
    domains: task.domains,
    syncing: task.syncing,
    certs: {
      leafFor: (host) => certs.leafFor(host),
    },
    sendEvents: (events) => {
      const batch: EventBatch = { kind: 'events', worker: task.index, events };
      task.eventsPort.postMessage(batch);
    },
  });

  const { promise: drained, resolve: finish } = Promise.withResolvers<undefined>();
  const control: ConnectionWorkerControl = {
    setDomains: (domains) => {
      server.setDomains(domains);
    },
    setSyncing: (syncing) => {
      server.setSyncing(syncing);
    },
    listen: async (host, port) => {
      try {
        return await server.listen(host, port);
      } catch (error) {
        // Comlink keeps only the message of a thrown Error; a plain object keeps the code.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw serializeError(error);
      }
    },
    unlisten: () => server.unlisten(),
    stats: () => server.stats(),
    drain: async (timeoutMs) => {
      await server.drain(timeoutMs);
      const drained: EventsDrained = { kind: 'drained', worker: task.index };
      task.eventsPort.postMessage(drained);
      finish(undefined);
    },
  };
  Comlink.expose(control, task.controlPort);
  await drained;
  // Let the drain's answer reach the supervisor before the ports go.
  await new Promise((resolve) => setImmediate(resolve));
  certs[Comlink.releaseProxy]();
  task.controlPort.close();
  task.eventsPort.close();
  return task.index;
}
