import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jarPath } from '../../src/data-dir.ts';
import { ReadJar } from '../../src/store/read-jar.ts';
import { SqliteJarStore } from '../../src/store/sqlite-jar-store.ts';
import type { SupervisorAddresses } from '../../src/supervisor/supervisor-api.ts';
import { curl } from '../helpers/curl.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { startSupervisor, tempDir } from '../helpers/supervisor.ts';

const RUN_SUPERVISOR = fileURLToPath(new URL('../fixtures/run-supervisor.ts', import.meta.url));

let origin: Origin;
let counter = 0;

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    counter += 1;
    res.setHeader('set-cookie', [`visit=${counter}; Max-Age=3600; Path=/`, `path=${req.url ?? ''}; Path=/`]);
    res.end('ok');
  });
});

afterAll(async () => {
  await origin.close();
});

async function persisted(dataDir: string): Promise<Map<string, string>> {
  const store = SqliteJarStore.open(jarPath(dataDir), { readOnly: true });
  try {
    const jar = await ReadJar.open(store);
    return new Map((await jar.cookies({ domain: 'keep.test' })).map((c) => [c.key, c.value]));
  } finally {
    await store.close();
  }
}

describe('the jar on disk', () => {
  it('is loaded again after a restart', async () => {
    const dataDir = await tempDir();
    try {
      const first = await startSupervisor({ dataDir, domains: ['keep.test'] });
      await curl(['-x', first.proxyUrl, `http://keep.test:${origin.port}/restart`]);
      await first.stop();

      const second = await startSupervisor({ dataDir, domains: ['keep.test'] });
      try {
        const cookies = await second.supervisor.cookies({ domain: 'keep.test' });
        expect(cookies.find((c) => c.key === 'path')?.value).toBe('/restart');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps what was committed when the process is killed with SIGKILL past the flush interval', async () => {
    const dataDir = await tempDir();
    let child: ChildProcess | undefined;
    try {
      child = spawn(
        process.execPath,
        [
          RUN_SUPERVISOR,
          JSON.stringify({ port: 0, adminPort: null, workers: 2, dataDir, domains: ['keep.test'], resolve: [{ pattern: '*.test', address: '127.0.0.1' }] }),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const stdout = child.stdout;
      if (stdout === null) throw new Error('no stdout from the supervisor process');
      const [line] = (await once(createInterface({ input: stdout }), 'line')) as [string];
      const addresses = JSON.parse(line) as SupervisorAddresses;
      const proxyUrl = `http://127.0.0.1:${addresses.proxy.port}`;
      for (let i = 0; i < 20; i++) {
        const result = await curl(['-x', proxyUrl, `http://keep.test:${origin.port}/kill-${i}`]);
        expect(result.stdout).toBe('ok');
      }
      const lastVisit = String(counter);
      // The README promises a flush at least every 100 ms; wait a little longer.
      await new Promise((resolve) => setTimeout(resolve, 250));
      child.kill('SIGKILL');
      await once(child, 'exit');

      const cookies = await persisted(dataDir);
      expect(cookies.get('path')).toBe('/kill-19');
      expect(cookies.get('visit')).toBe(lastVisit);
    } finally {
      if (child?.exitCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
