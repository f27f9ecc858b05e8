/**
 * The limits a client meets, on the outer server and inside tunnels (a
 * decrypted TLS tunnel, plain HTTP in a tunnel): the request-head size (431),
 * the request-head deadline (408, slowloris), idle kept-alive connections,
 * and requests stalled on their client (408, or cut once the response began).
 */
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { connectTunnel, proxyRequest, tlsThroughProxy } from '../helpers/proxy-client.ts';
import { openRaw, parseRawResponse, rawRequest } from '../helpers/raw-http.ts';
import type { RawResponse } from '../helpers/raw-http.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

const HEADERS_TIMEOUT_MS = 400;
const IDLE_TIMEOUT_MS = 700;
/** Below Node's own 16 KiB, so a head between the two shows which limit answered. */
const MAX_HEADER_SIZE = 8_192;
/** What Node's server adds to keepAliveTimeout before it closes an idle socket. */
const KEEP_ALIVE_GRACE_MS = 1_000;
const BIG_BODY = Buffer.alloc(32 * 1024 * 1024, 'x');

/** Paths of requests whose body never finished reaching the origin: the proxy dropped them. */
const dropped = new Set<string>();
let plain: Origin;
let secure: Origin;
let proxy: RunningSupervisor;
let jarsyncCa: string;

beforeAll(async () => {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.url === '/big') {
      res.end(BIG_BODY);
      return;
    }
    // Answers once the whole body is in, so a stalled upload stays unanswered.
    req.once('close', () => {
      if (!req.complete) dropped.add(req.url ?? '');
    });
    req.resume();
    req.on('end', () => res.end(`ok ${req.url ?? ''}`));
  };
  plain = await startOrigin(handler);
  secure = await startOrigin(handler, { tls: true });
  proxy = await startSupervisor({
    domains: ['sync.test', 'origin.test'],
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    maxHeaderSize: MAX_HEADER_SIZE,
  });
  jarsyncCa = await readFile(proxy.addresses.caCertPath, 'utf8');
});

afterAll(async () => {
  await proxy.stop();
  await plain.close();
  await secure.close();
});

const port = (): number => proxy.addresses.proxy.port;

/** Reads a stream until it closes; rejects if it stays open `timeoutMs`. */
function readToClose(stream: Duplex, timeoutMs = 10_000): Promise<RawResponse & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`still open after ${timeoutMs} ms: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, timeoutMs);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve({ ...parseRawResponse(Buffer.concat(chunks).toString('latin1')), ms: performance.now() - started });
    });
  });
}

async function status(): Promise<{ clientTimeouts: number }> {
  const [worker] = (await proxy.supervisor.status()).workers;
  return { clientTimeouts: worker?.clientTimeouts ?? -1 };
}

describe('request line and header size', () => {
  it('answers a 1 MB header with 431 and a short text, and keeps serving', async () => {
    const response = await rawRequest(port(), `GET http://sync.test:${plain.port}/ HTTP/1.1\r\nHost: sync.test\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`);
    expect(response.status).toBe(431);
    expect(response.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_HEADERS_TOO_LARGE']);
    expect(response.body).toBe(`jarsync: the request line and header fields are over ${MAX_HEADER_SIZE} bytes\n`);
    const after = await proxyRequest(port(), `http://sync.test:${plain.port}/after`);
    expect(after.body.toString()).toBe('ok /after');
  });

  it('holds its own limit, not Node’s 16 KiB: a 12 KiB head is refused, a 6 KiB one served', async () => {
    const over = await rawRequest(port(), `GET http://sync.test:${plain.port}/over HTTP/1.1\r\nHost: sync.test\r\nX-Mid: ${'m'.repeat(12 * 1024)}\r\n\r\n`);
    expect(over.status).toBe(431);
    expect(over.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_HEADERS_TOO_LARGE']);
    const under = await proxyRequest(port(), `http://sync.test:${plain.port}/under`, { headers: { host: 'sync.test', 'x-mid': 'm'.repeat(6 * 1024) } });
    expect(under.body.toString()).toBe('ok /under');
  });

  it('holds it inside a decrypted tunnel too', async () => {
    const socket = await tlsThroughProxy(port(), 'big.origin.test', secure.port, { ca: jarsyncCa });
    const answer = readToClose(socket);
    socket.write(`GET / HTTP/1.1\r\nHost: big.origin.test\r\nX-Mid: ${'m'.repeat(12 * 1024)}\r\n\r\n`);
    const response = await answer;
    expect(response.status).toBe(431);
    expect(response.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_HEADERS_TOO_LARGE']);
  });
});

describe('request head deadline (slowloris)', () => {
  it('answers 408 to a client that sends half a head on a plain connection', async () => {
    const connection = await openRaw(port());
    connection.socket.write(`GET http://sync.test:${plain.port}/ HTTP/1.1\r\nHost: sync`);
    const response = await connection.closed(5_000);
    expect(response.status).toBe(408);
    expect(response.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_CLIENT_TIMEOUT']);
  });

  it('answers 408 inside a decrypted tunnel to a client silent after its handshake', async () => {
    const before = await status();
    const socket = await tlsThroughProxy(port(), 'slow.origin.test', secure.port, { ca: jarsyncCa });
    const response = await readToClose(socket, 5_000);
    expect(response.status).toBe(408);
    expect(response.ms).toBeGreaterThan(HEADERS_TIMEOUT_MS / 2);
    expect((await status()).clientTimeouts).toBeGreaterThan(before.clientTimeouts);
  });

  it('answers 408 inside a decrypted tunnel to a second head that stops halfway', async () => {
    const socket = await tlsThroughProxy(port(), 'keep.origin.test', secure.port, { ca: jarsyncCa });
    const answer = readToClose(socket, 5_000);
    socket.write('GET /first HTTP/1.1\r\nHost: keep.origin.test\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write('GET /second HTTP/1.1\r\nHo');
    const { raw } = await answer;
    expect(raw).toContain('ok /first');
    expect(raw).toContain('HTTP/1.1 408 Request Timeout');
    expect(raw).not.toContain('ok /second');
  });

  it('answers 408 to half a head of plain HTTP inside a tunnel', async () => {
    const socket = await connectTunnel(port(), `sync.test:${plain.port}`);
    const answer = readToClose(socket, 5_000);
    socket.write('GET / HTTP/1.1\r\nHost: sync.te');
    const response = await answer;
    expect(response.status).toBe(408);
  });
});

describe('idle connections and stalled requests', () => {
  it('closes an idle kept-alive connection in a decrypted tunnel, unanswered', async () => {
    const socket = await tlsThroughProxy(port(), 'idle.origin.test', secure.port, { ca: jarsyncCa });
    const answer = readToClose(socket, 8_000);
    socket.write('GET /once HTTP/1.1\r\nHost: idle.origin.test\r\n\r\n');
    const { raw, ms } = await answer;
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*ok \/once$/);
    expect(ms).toBeGreaterThan(IDLE_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(IDLE_TIMEOUT_MS + KEEP_ALIVE_GRACE_MS + 1_000);
  });

  it('answers 408 to an upload that stops coming, and drops its upstream request', async () => {
    const connection = await openRaw(port());
    connection.socket.write(`POST http://sync.test:${plain.port}/upload HTTP/1.1\r\nHost: sync.test\r\nContent-Length: 1000\r\n\r\n${'b'.repeat(10)}`);
    const response = await connection.closed(6_000);
    expect(response.status).toBe(408);
    expect(response.body).toMatch(/stalled/);
    for (let wait = 0; wait < 100 && !dropped.has('/upload'); wait += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(dropped.has('/upload')).toBe(true);
  });

  it('cuts a response the client stopped reading', async () => {
    const before = await status();
    const connection = await openRaw(port());
    connection.socket.write(`GET http://sync.test:${plain.port}/big HTTP/1.1\r\nHost: sync.test\r\n\r\n`);
    await connection.waitFor('HTTP/1.1 200');
    connection.socket.pause();
    // Long enough for the buffers to fill and the stall to be seen.
    await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS * 3));
    connection.socket.resume();
    const response = await connection.closed(10_000);
    expect(response.raw.length).toBeLessThan(BIG_BODY.length);
    expect((await status()).clientTimeouts).toBeGreaterThan(before.clientTimeouts);
  });
});
