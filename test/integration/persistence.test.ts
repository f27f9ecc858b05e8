import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForOutput } from '../cli/cli-process.ts';
import { curl } from '../helpers/curl.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { startSupervisor, tempDir } from '../helpers/supervisor.ts';

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

describe('the jar on disk', () => {
  it('is loaded again after a restart', async () => {
    const dataDir = await tempDir();
    try {
      const first = await startSupervisor({ dataDir, domains: ['keep.test'] });
      await curl(['-x', first.proxyUrl, `http://keep.test:${origin.port}/restart`]);
      // At once: the response's events may still be on their way from the
      // worker, and closing must wait for them (see EventsDrained).
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

  it('keeps what was committed when jarsync is killed with SIGKILL past the flush interval', async () => {
    const dataDir = await tempDir();
    const child = spawnCli(['start', '--port', '0', '--admin-port', '0', '--workers', '2', '--data-dir', dataDir, '--domain', 'keep.test', '--resolve', '*.test=127.0.0.1']);
    try {
      const proxyLine = /^proxy: (http:\/\/\S+)$/m.exec(await waitForOutput(child, /^domains: .*\n/m));
      const proxyUrl = proxyLine?.[1] ?? '';
      for (let i = 0; i < 20; i++) {
        const result = await curl(['-x', proxyUrl, `http://keep.test:${origin.port}/kill-${i}`]);
        expect(result.stdout).toBe('ok');
      }
      const lastVisit = String(counter);
      // The README promises a flush at least every 100 ms; wait a little longer.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;

      const listed = await runCli(['cookies', '--data-dir', dataDir, '--domain', 'keep.test', '--json']);
      expect(listed.code).toBe(0);
      const cookies = new Map((JSON.parse(listed.stdout) as { key: string; value: string }[]).map((c) => [c.key, c.value]));
      expect(cookies.get('path')).toBe('/kill-19');
      expect(cookies.get('visit')).toBe(lastVisit);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
