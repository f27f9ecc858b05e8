/**
 * The mint pool's task module (piscina): one MintTask in, one MintedLeaf out.
 * The CA and the shared leaf public key arrive once, in the pool's workerData,
 * and are parsed once per thread; a task then costs only the per-host build
 * and one native RSA signature.
 *
 *   supervisor/cert-service ──MintTask { host, now }──▶ this thread ──MintedLeaf──▶
 */
import { workerData } from 'node:worker_threads';
import { JarsyncError, serializeError } from '../errors.ts';
import { createLeafMinter, type LeafMinter } from '../tls/mint-leaf.ts';
import type { MintedLeaf, MintTask, MintWorkerData, SerializedError } from './protocol.ts';

// A task module that throws while loading leaves piscina's tasks waiting forever,
// so a setup failure is kept and reported by each task instead.
const setup = prepare();

export default function mintTask(task: MintTask): MintedLeaf {
  const outcome = attempt(task);
  if ('leaf' in outcome) return outcome.leaf;
  // postMessage keeps an Error's message and cause but not its class or code:
  // the code crosses as a SerializedError in the cause (see protocol.ts).
  throw new Error(outcome.error.message, { cause: outcome.error });
}

function attempt(task: MintTask): { leaf: MintedLeaf } | { error: SerializedError } {
  if ('error' in setup) return setup;
  try {
    return { leaf: setup.mint(task.host, task.now) };
  } catch (error) {
    return { error: serializeError(error) };
  }
}

function prepare(): { mint: LeafMinter } | { error: SerializedError } {
  try {
    return { mint: createLeafMinter(readWorkerData(workerData)) };
  } catch (error) {
    return { error: serializeError(error) };
  }
}

function readWorkerData(data: unknown): MintWorkerData {
  const candidate = (data ?? {}) as Partial<Record<keyof MintWorkerData, unknown>>;
  const { caCertPem, caKeyPem, leafPublicKeyPem } = candidate;
  if (typeof caCertPem !== 'string' || typeof caKeyPem !== 'string' || typeof leafPublicKeyPem !== 'string') {
    throw new JarsyncError('JARSYNC_ERR_MINT', 'The mint pool was started without caCertPem, caKeyPem and leafPublicKeyPem in its workerData.');
  }
  return { caCertPem, caKeyPem, leafPublicKeyPem };
}
