/**
 * A real supervisor for integration tests: port 0, a temp data dir, the origin
 * test CA trusted upstream and every `*.test` name resolved to 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SupervisorOptions } from '../../src/options.ts';
import { createSupervisor } from '../../src/supervisor/supervisor.ts';
import type { Supervisor, SupervisorAddresses } from '../../src/supervisor/supervisor-api.ts';

export const ORIGIN_CA_FILE = fileURLToPath(new URL('../fixtures/origin/ca.pem', import.meta.url));

export interface RunningSupervisor {
  readonly supervisor: Supervisor;
  readonly addresses: SupervisorAddresses;
  readonly dataDir: string;
  readonly proxyUrl: string;
  readonly logs: string[];
  stop(): Promise<void>;
}

export async function tempDir(prefix = 'jarsync-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function startSupervisor(options: SupervisorOptions = {}): Promise<RunningSupervisor> {
  const dataDir = options.dataDir ?? (await tempDir());
  const logs: string[] = [];
  const supervisor = createSupervisor({
    port: 0,
    adminPort: null,
    workers: 1,
    caFiles: [ORIGIN_CA_FILE],
    resolve: [{ pattern: '*.test', address: '127.0.0.1' }],
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...options,
    dataDir,
  });
  const addresses = await supervisor.start();
  return {
    supervisor,
    addresses,
    dataDir,
    proxyUrl: `http://127.0.0.1:${addresses.proxy.port}`,
    logs,
    stop: async () => {
      await supervisor.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
