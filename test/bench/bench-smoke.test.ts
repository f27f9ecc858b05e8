/**
 * The bench harness at a tiny scale: a Node origin (the test PKI's
 * *.origin.test certificate) instead of nginx, direct and jarsync (capture
 * on, one worker) as contenders, two rounds of plain and HTTPS keep-alive,
 * then the report and the targets. Proves that bench/ runs; measures nothing.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContenderPool } from '../../bench/contenders/contender-pool.ts';
import { direct } from '../../bench/contenders/direct.ts';
import { jarsyncContender } from '../../bench/contenders/jarsync.ts';
import { ResponseReader } from '../../bench/load/response-reader.ts';
import type { Origin } from '../../bench/origin/origin.ts';
import { stopAllChildren } from '../../bench/process/child.ts';
import type { ProxyScenarioResult } from '../../bench/report/results.ts';
import { proxyScenarioTable } from '../../bench/report/table.ts';
import { checkTargets } from '../../bench/report/targets.ts';
import { runHttpsKeepAlive } from '../../bench/scenarios/https-keepalive.ts';
import { runPlainKeepAlive } from '../../bench/scenarios/plain-keepalive.ts';
import { QUICK } from '../../bench/scenarios/scale.ts';
import type { ScenarioContext } from '../../bench/scenarios/scenario-context.ts';
import { originCaPem, originCertPem, originKeyPem } from '../helpers/origin-tls.ts';

const CA_FILE = path.join(import.meta.dirname, '..', 'fixtures', 'origin', 'ca.pem');

function handler(_request: http.IncomingMessage, response: http.ServerResponse): void {
  response.setHeader('set-cookie', ['sid=1; Domain=origin.test; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax', 'theme=dark; Path=/']);
  response.end('jarsync bench origin\n');
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('bench harness', () => {
  const sockets = new Set<Socket>();
  const servers = [http.createServer(handler), https.createServer({ cert: originCertPem, key: originKeyPem }, handler)] as const;
  let origin: Origin;
  let workDir: string;
  let pool: ContenderPool;

  beforeAll(async () => {
    for (const server of servers) {
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
    }
    workDir = mkdtempSync(path.join(tmpdir(), 'jarsync-bench-smoke-'));
    const [httpPort, httpsPort] = [await listen(servers[0]), await listen(servers[1])];
    origin = { suffix: 'origin.test', httpPort, httpsPort, caPem: originCaPem, caFile: CA_FILE, pid: null, close: () => Promise.resolve() };
    pool = new ContenderPool({ origin, workDir, profileDir: null });
  });

  afterAll(async () => {
    await pool.close();
    await stopAllChildren();
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('reads responses framed by length and by chunks, split anywhere', () => {
    const statuses: number[] = [];
    const reader = new ResponseReader((status) => statuses.push(status));
    const bytes = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
    );
    for (let index = 0; index < bytes.length; index += 7) reader.feed(bytes.subarray(index, index + 7));
    expect(statuses).toEqual([200, 404, 204]);
    expect(reader.idle).toBe(true);
    expect(reader.error).toBeNull();
  });

  it('measures direct and jarsync side by side, in rounds, and reports them', async () => {
    const context: ScenarioContext = {
      contenders: { origin, workDir, profileDir: null },
      pool,
      scale: { ...QUICK, rounds: 2, windowMs: 250, warmupMs: 100, connections: 4 },
      runId: 'smoke',
      log: () => undefined,
    };
    const contenders = [direct, jarsyncContender({ name: 'jarsync', capture: true, workers: 1 })];
    const results: ProxyScenarioResult[] = [await runPlainKeepAlive(context, contenders), await runHttpsKeepAlive(context, contenders)];
    for (const result of results) {
      expect(result.rows.map((row) => [row.contender, row.status, row.rounds, row.errors])).toEqual([
        ['direct', 'measured', 2, 0],
        ['jarsync', 'measured', 2, 0],
      ]);
      const [viaDirect, viaJarsync] = result.rows;
      expect(viaDirect?.requests).toBeGreaterThan(0);
      expect(viaJarsync?.requests).toBeGreaterThan(0);
      expect(viaDirect?.cpuMicrosPerRequest).toBeNull();
      expect(viaJarsync?.cpuMicrosPerRequest?.median).toBeGreaterThan(0);
      expect(viaJarsync?.vsDirect).toBeGreaterThan(0);
      expect(proxyScenarioTable(result)).toContain('| jarsync ');
    }
    const targets = checkTargets(results);
    expect(targets.find((line) => line.measure.startsWith('throughput vs http-mitm-proxy'))?.met).toBeNull();
  }, 30_000);
});
