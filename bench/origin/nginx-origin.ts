/**
 * The origin as an nginx process of the bench's own: started in the
 * foreground (`daemon off`), so that the PID we hold is its master's and
 * stopping it by that PID stops its worker too.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startChild } from '../process/child.ts';
import { freePort, waitForPort } from '../process/free-port.ts';
import type { OriginFiles } from './origin-files.ts';
import type { Origin } from './origin.ts';
import { nginxConfig } from './nginx-config.ts';

export const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'] as const;

export async function startNginxOrigin(nginx: string, files: OriginFiles, workDir: string): Promise<Origin> {
  const dir = path.join(workDir, 'nginx');
  mkdirSync(dir, { recursive: true });
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const config = path.join(dir, 'nginx.conf');
  writeFileSync(config, nginxConfig({ dir, httpPort, httpsPort, certFile: files.certFile, keyFile: files.keyFile }));
  const child = await startChild('nginx origin', {
    command: nginx,
    args: ['-p', dir, '-c', config, '-e', path.join(dir, 'error.log')],
    readyLine: null,
    // QUIT: finish what is in flight, then exit; the runner is done with it by then.
    stopSignal: 'SIGQUIT',
  });
  try {
    await waitForPort(httpPort, 10_000);
    await waitForPort(httpsPort, 10_000);
  } catch (error) {
    await child.stop(2_000);
    let log = '';
    try {
      log = readFileSync(path.join(dir, 'error.log'), 'utf8');
    } catch {
      // No log: the message below says enough.
    }
    throw new Error(`nginx did not start: ${(error as Error).message}\n${child.output()}${log}`, { cause: error });
  }
  return {
    suffix: 'bench.test',
    httpPort,
    httpsPort,
    caPem: readFileSync(files.caFile, 'utf8'),
    caFile: files.caFile,
    pid: child.pid,
    close: () => child.stop(5_000),
  };
}
