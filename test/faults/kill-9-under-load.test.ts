/**
 * `kill -9` of `jarsync start` (the real CLI, a child process) in the middle
 * of a steady load where every response sets a cookie of its own: afterwards
 * `jarsync cookies` holds every cookie whose response completed more than
 * 150 ms before the kill (the 50 ms flush interval, with room for a busy
 * machine). What was committed survives; what was not is not pretended.
 */
import http from 'node:http';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, spawnCli, waitForOutput } from '../cli/cli-process.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { proxyRequest } from '../helpers/proxy-client.ts';
import { tempDir } from '../helpers/supervisor.ts';

const CLIENTS = 8;
/** The kill comes once this many responses have completed (the load is steady by then), and this long after. */
const BEFORE_KILL = 300;
const STEADY_MS = 400;
const COMMITTED_AFTER_MS = 150;

let origin: Origin;
let issued = 0;

beforeAll(async () => {
  origin = await startOrigin((_req, res) => {
    issued += 1;
    res.setHeader('set-cookie', `u${issued}=${issued}; Path=/; Max-Age=3600`);
    res.end('ok');
  });
});

afterAll(async () => {
  await origin.close();
});

describe('kill -9 during a steady load', () => {
  it('keeps every cookie whose response completed more than 150 ms before the kill', async () => {
    const dataDir = await tempDir();
    const child = spawnCli(['start', '--port', '0', '--admin-port', '0', '--workers', '2', '--data-dir', dataDir, '--domain', 'kill.test', '--resolve', '*.test=127.0.0.1']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    try {
      const proxyLine = /^proxy: http:\/\/127\.0\.0\.1:(\d+)$/m.exec(await waitForOutput(child, /^domains: .*\n/m));
      const proxyPort = Number(proxyLine?.[1]);
      /** Cookie name → when its response completed (performance.now()). */
      const completed = new Map<string, number>();
      const client = async (index: number): Promise<void> => {
        for (let sent = 0; ; sent += 1) {
          try {
            const answer = await proxyRequest(proxyPort, `http://kill.test:${origin.port}/${index}-${sent}`, { agent, headers: { host: `kill.test:${origin.port}` } });
            const name = /^(u\d+)=/.exec(String(answer.headers['set-cookie']?.[0]))?.[1];
            if (answer.status === 200 && name !== undefined) completed.set(name, performance.now());
          } catch {
            // After the kill: the connection is gone, and so is this client.
            return;
          }
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
      await vi.waitFor(
        () => {
          expect(completed.size).toBeGreaterThanOrEqual(BEFORE_KILL);
        },
        { timeout: 15_000, interval: 20 },
      );
      await new Promise((resolve) => setTimeout(resolve, STEADY_MS));
      const exited = once(child, 'exit');
      const killedAt = performance.now();
      child.kill('SIGKILL');
      await exited;
      await load;

      const committed = [...completed].filter(([, at]) => at < killedAt - COMMITTED_AFTER_MS).map(([name]) => name);
      expect(committed.length).toBeGreaterThanOrEqual(BEFORE_KILL);
      const listed = await runCli(['cookies', '--data-dir', dataDir, '--domain', 'kill.test', '--json']);
      expect(listed.code).toBe(0);
      const held = new Map((JSON.parse(listed.stdout) as { key: string; value: string }[]).map((cookie) => [cookie.key, cookie.value]));
      const missing = committed.filter((name) => held.get(name) !== name.slice(1));
      expect(missing).toEqual([]);
    } finally {
      agent.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
