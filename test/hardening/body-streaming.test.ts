/**
 * Bodies are streamed, never buffered, in both directions: a client sends a
 * chunked upload piece by piece and sends each next piece only once the
 * origin's echo of the previous one has come back through the proxy. A proxy
 * that waited for the whole request body (or the whole response) before
 * passing it on could never finish this exchange.
 */
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { tlsThroughProxy } from '../helpers/proxy-client.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

const PIECES = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

let plain: Origin;
let secure: Origin;
let proxy: RunningSupervisor;
let caPem: string;

/** Echoes every piece of the request body at once, as a chunk of its response; ends with the count. */
function echo(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'streamed=1; Path=/' });
  let pieces = 0;
  req.on('data', (chunk: Buffer) => {
    pieces += 1;
    res.write(`<${chunk.toString('latin1')}>`);
  });
  req.on('end', () => res.end(`[${pieces}]`));
}

beforeAll(async () => {
  plain = await startOrigin(echo);
  secure = await startOrigin(echo, { tls: true });
  proxy = await startSupervisor({ domains: ['sync.test', 'origin.test'] });
  caPem = await readFile(proxy.addresses.caCertPath, 'utf8');
});

afterAll(async () => {
  await proxy.stop();
  await Promise.all([plain.close(), secure.close()]);
});

/** Collects what arrives on `socket` and resolves once it contains `text`. */
function reader(socket: Duplex): { readonly text: () => string; readonly waitFor: (text: string) => Promise<void> } {
  let received = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    for (const waiter of waiters) waiter();
  });
  return {
    text: () => received,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`"${text}" did not come back within 5 s (got ${JSON.stringify(received)})`));
        }, 5_000);
        const check = (): void => {
          if (!received.includes(text)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

/** The upload, one piece per round trip; resolves with all the response text. */
async function pingPong(socket: Duplex, head: string): Promise<string> {
  const response = reader(socket);
  socket.write(head);
  for (const piece of PIECES) {
    socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
    await response.waitFor(`<${piece}>`);
  }
  socket.write('0\r\n\r\n');
  await response.waitFor(`[${PIECES.length}]`);
  return response.text();
}

describe('request and response bodies are streamed', () => {
  it('over plain HTTP: each piece of the upload reaches the origin and its echo comes back before the next is sent', async () => {
    const client = net.connect({ host: '127.0.0.1', port: proxy.addresses.proxy.port });
    try {
      const text = await pingPong(
        client,
        `POST http://sync.test:${plain.port}/upload HTTP/1.1\r\nHost: sync.test:${plain.port}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      for (const piece of PIECES) expect(text).toContain(`<${piece}>`);
    } finally {
      client.destroy();
    }
    await proxy.supervisor.flush();
    expect((await proxy.supervisor.cookies({ domain: 'sync.test' })).map((cookie) => cookie.key)).toContain('streamed');
  });

  it('decrypted HTTPS: the same, through CONNECT and the minted certificate', async () => {
    const client = await tlsThroughProxy(proxy.addresses.proxy.port, 'origin.test', secure.port, { ca: caPem, servername: 'origin.test' });
    try {
      const text = await pingPong(client, `POST /upload HTTP/1.1\r\nHost: origin.test:${secure.port}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      for (const piece of PIECES) expect(text).toContain(`<${piece}>`);
    } finally {
      client.destroy();
    }
  });
});
