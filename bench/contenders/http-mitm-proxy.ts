/**
 * http-mitm-proxy as a contender: bench/contenders/http-mitm-proxy-peer.ts in
 * a Node process of its own (the same Node as jarsync), with its own CA in a
 * fresh directory, so every run mints its certificates anew.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startChild } from '../process/child.ts';
import type { Contender, RunningContender } from './contender.ts';

const PEER = path.join(import.meta.dirname, 'http-mitm-proxy-peer.ts');
const PACKAGE = path.join(import.meta.dirname, '..', 'node_modules', 'http-mitm-proxy', 'package.json');

let started = 0;

export const httpMitmProxy: Contender = {
  name: 'http-mitm-proxy',
  description: 'http-mitm-proxy 1.1 with an onResponse hook feeding a tough-cookie jar, keep-alive agents',
  unavailable: () => (existsSync(PACKAGE) ? null : 'bench/node_modules has no http-mitm-proxy (npm ci --prefix bench)'),
  start: async (context): Promise<RunningContender> => {
    started += 1;
    const sslCaDir = path.join(context.workDir, `http-mitm-proxy-${started}`);
    const child = await startChild('http-mitm-proxy', {
      command: process.execPath,
      args: [PEER],
      env: {
        ...process.env,
        BENCH_PORT: '0',
        BENCH_SSL_CA_DIR: sslCaDir,
        BENCH_ORIGIN_CA: context.origin.caFile,
        BENCH_RESOLVE: `*.${context.origin.suffix}=127.0.0.1`,
        BENCH_DOMAIN: context.origin.suffix,
      },
      readyLine: /^listening (\d+)$/,
      // Its first start makes an RSA CA.
      readyTimeoutMs: 60_000,
    });
    return {
      name: 'http-mitm-proxy',
      proxy: { host: '127.0.0.1', port: Number(child.ready?.[1]) },
      caPems: [readFileSync(path.join(sslCaDir, 'certs', 'ca.pem'), 'utf8'), context.origin.caPem],
      pid: child.pid,
      mints: () => Promise.resolve(null),
      stop: () => child.stop(5_000),
    };
  },
};
