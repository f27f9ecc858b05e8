/**
 * The bad-input corpus: malformed requests, smuggling shapes, CONNECT garbage,
 * TLS garbage and absurd upstream responses, each sent over a raw socket to a
 * real supervisor while a well-behaved client is served in parallel. Each gets
 * its proper answer (or a closed connection), the well-behaved client sees no
 * error, and no worker dies.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import { connectTunnel, proxyHttpsRequest, proxyRequest } from '../helpers/proxy-client.ts';
import type { RawResponse } from '../helpers/raw-http.ts';
import { openRaw, parseRawResponse, rawRequest } from '../helpers/raw-http.ts';
import type { RawOrigin } from '../helpers/raw-origin.ts';
import { startRawOrigin } from '../helpers/raw-origin.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { startSupervisor } from '../helpers/supervisor.ts';

/** A raw upstream response with these header lines and a short body. */
function rawResponse(lines: readonly string[]): string {
  return `HTTP/1.1 200 OK\r\n${lines.map((line) => `${line}\r\n`).join('')}Content-Length: 2\r\nConnection: close\r\n\r\nok`;
}

const MANY_COOKIES = 5_000;
const UPSTREAM = new Map<string, string>([
  [
    '/invalid-cookies',
    rawResponse([
      'Set-Cookie: =',
      'Set-Cookie: ;;;',
      'Set-Cookie: no-equals-sign',
      'Set-Cookie: a=b; Expires=not a date; Max-Age=abc; Domain=..; Path',
      `Set-Cookie: ${'k'.repeat(8_000)}=v`,
      'Set-Cookie: __Host-x=1; Domain=sync.test; Path=/',
      'Set-Cookie: high=\xff\xfe\xfd',
      'Set-Cookie: q="unterminated; Path=/',
    ]),
  ],
  ['/many-cookies', rawResponse(Array.from({ length: MANY_COOKIES }, (_, i) => `Set-Cookie: c${i}=v; Path=/`))],
  // Over the 256 KiB a browser takes in a response head.
  ['/huge-head', rawResponse(Array.from({ length: MANY_COOKIES }, (_, i) => `Set-Cookie: c${i}=${'v'.repeat(60)}; Path=/`))],
  ['/nul-cookie', rawResponse(['Set-Cookie: a=b\0c'])],
  ['/bad-status', 'HTTP/1.1 2000 Nope\r\nContent-Length: 0\r\n\r\n'],
]);

let origin: Origin;
let secure: Origin;
let rawOrigin: RawOrigin;
let proxy: RunningSupervisor;
let closedPort: number;

beforeAll(async () => {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.url === '/early') {
      // Answers before the request body is in, as an upload endpoint that streams progress would.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('early ');
    }
    req.resume();
    req.on('end', () => res.end(`ok ${req.url ?? ''}`));
  };
  origin = await startOrigin(handler);
  secure = await startOrigin(handler, { tls: true });
  rawOrigin = await startRawOrigin(UPSTREAM);
  proxy = await startSupervisor({ domains: ['sync.test', 'origin.test'], workers: 2 });
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as net.AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await proxy.stop();
  await Promise.all([origin.close(), secure.close(), rawOrigin.close()]);
});

const port = (): number => proxy.addresses.proxy.port;

/** Sends raw bytes after a CONNECT the proxy answered 200, and reads to the close. */
async function afterConnect(authority: string, bytes: Buffer | string, timeoutMs = 8_000): Promise<RawResponse> {
  const socket = await connectTunnel(port(), authority);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  socket.write(bytes);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  await once(socket, 'close');
  clearTimeout(timer);
  return parseRawResponse(Buffer.concat(chunks).toString('latin1'));
}

/** A ClientHello record whose handshake body is junk. */
function garbageHello(): Buffer {
  const junk = Buffer.alloc(200, 0xab);
  const handshake = Buffer.concat([Buffer.from([0x01, 0x00, 0x00, junk.length]), junk]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, handshake.length]), handshake]);
}

/** A status, or a connection closed without an HTTP answer. */
type Expected = number | 'closed';
interface Case {
  readonly name: string;
  readonly send: () => Promise<RawResponse>;
  readonly expect: Expected;
  /** The x-jarsync-error the answer carries, when the proxy made it. */
  readonly code?: string;
}

const raw = (bytes: string) => (): Promise<RawResponse> => rawRequest(port(), bytes);
const target = (path: string): string => `http://sync.test:${origin.port}${path}`;
/** A request to the raw origin that closes after its answer. */
const upstream = (path: string) => raw(`GET http://sync.test:${rawOrigin.port}${path} HTTP/1.1\r\nHost: sync.test\r\nConnection: close\r\n\r\n`);
const get = (path: string, headers = ''): string => `GET ${target(path)} HTTP/1.1\r\nHost: sync.test\r\n${headers}\r\n`;
const post = (headers: string, body: string): string => `POST ${target('/post')} HTTP/1.1\r\nHost: sync.test\r\n${headers}\r\n${body}`;

const BAD_CLIENT = 'JARSYNC_ERR_BAD_CLIENT_REQUEST';
const BAD_UPSTREAM = 'JARSYNC_ERR_UPSTREAM_BAD_RESPONSE';

function corpus(): Case[] {
  return [
    // Malformed request lines.
    { name: 'a bare method', send: raw('GET\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'an unknown HTTP version', send: raw(`GET ${target('/')} HTTP/9.9\r\nHost: a\r\n\r\n`), expect: 400, code: BAD_CLIENT },
    { name: 'a method with a bad character', send: raw(`G@T ${target('/')} HTTP/1.1\r\nHost: a\r\n\r\n`), expect: 400, code: BAD_CLIENT },
    { name: 'spaces in the target', send: raw(`GET ${target('/a b')} HTTP/1.1\r\nHost: a\r\n\r\n`), expect: 400, code: BAD_CLIENT },
    { name: 'binary junk', send: raw('\x00\x01\x02\x03junk\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'an HTTP/2 preface', send: raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), expect: 400 },
    { name: 'an ftp: target', send: raw('GET ftp://sync.test/ HTTP/1.1\r\nHost: sync.test\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'user info in the target', send: raw(`GET http://user:pw@sync.test:${origin.port}/ HTTP/1.1\r\nHost: sync.test\r\n\r\n`), expect: 400, code: BAD_CLIENT },
    { name: 'a port out of range in the target', send: raw('GET http://sync.test:99999/ HTTP/1.1\r\nHost: sync.test\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    // Bad header bytes.
    { name: 'a NUL in a header value', send: raw(get('/', 'X-A: a\0b\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'a bare CR in a header value', send: raw(get('/', 'X-A: a\rb\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'a bare LF line end', send: raw(`GET ${target('/')} HTTP/1.1\nHost: sync.test\n\n`), expect: 400, code: BAD_CLIENT },
    { name: 'an obs-fold continuation line', send: raw(get('/', 'X-A: a\r\n folded\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'a space before the colon', send: raw(get('/', 'X-A : a\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'a header line without a colon', send: raw(get('/', 'no colon here\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'a 1 MB header', send: raw(get('/', `X-Big: ${'a'.repeat(1024 * 1024)}\r\n`)), expect: 431, code: 'JARSYNC_ERR_HEADERS_TOO_LARGE' },
    // Bodies and request smuggling.
    { name: 'a chunk size that is not hex', send: raw(post('Transfer-Encoding: chunked\r\n', 'zz\r\nabc\r\n0\r\n\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'a chunk size that overflows', send: raw(post('Transfer-Encoding: chunked\r\n', 'ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'a negative chunk size', send: raw(post('Transfer-Encoding: chunked\r\n', '-3\r\nabc\r\n0\r\n\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'Content-Length with Transfer-Encoding', send: raw(post('Content-Length: 3\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'two different Content-Lengths', send: raw(post('Content-Length: 3\r\nContent-Length: 4\r\n', 'abcd')), expect: 400, code: BAD_CLIENT },
    { name: 'a Content-Length list', send: raw(post('Content-Length: 3, 4\r\n', 'abcd')), expect: 400, code: BAD_CLIENT },
    { name: 'Transfer-Encoding: chunked, identity', send: raw(post('Transfer-Encoding: chunked, identity\r\n', '3\r\nabc\r\n0\r\n\r\n')), expect: 400, code: BAD_CLIENT },
    { name: 'Transfer-Encoding: identity', send: raw(post('Transfer-Encoding: identity\r\n', '')), expect: 400, code: BAD_CLIENT },
    { name: 'a negative Content-Length', send: raw(post('Content-Length: -1\r\n', '')), expect: 400, code: BAD_CLIENT },
    { name: 'two Host fields inside a tunnel', send: () => afterConnect(`sync.test:${origin.port}`, 'GET / HTTP/1.1\r\nHost: sync.test\r\nHost: evil.test\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    // CONNECT to closed ports and to garbage.
    { name: 'CONNECT to a closed port', send: raw(`CONNECT unsynced.test:${closedPort} HTTP/1.1\r\nHost: unsynced.test:${closedPort}\r\n\r\n`), expect: 502, code: 'JARSYNC_ERR_UPSTREAM_REFUSED' },
    { name: 'CONNECT :::::', send: raw('CONNECT ::::: HTTP/1.1\r\nHost: x\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'CONNECT without a port', send: raw('CONNECT sync.test HTTP/1.1\r\nHost: sync.test\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'CONNECT to port 0', send: raw('CONNECT sync.test:0 HTTP/1.1\r\nHost: sync.test:0\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'CONNECT to port 70000', send: raw('CONNECT sync.test:70000 HTTP/1.1\r\nHost: sync.test:70000\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'CONNECT to an unclosed IPv6 bracket', send: raw('CONNECT [::1:443 HTTP/1.1\r\nHost: x\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'CONNECT to a path', send: raw('CONNECT sync.test:443/x HTTP/1.1\r\nHost: x\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'junk where a synced tunnel expects a ClientHello', send: () => afterConnect(`sync.test:${origin.port}`, '\x00\xffnot tls, not http\r\n\r\n'), expect: 400, code: BAD_CLIENT },
    { name: 'a ClientHello of junk', send: () => afterConnect(`junk.origin.test:${origin.port}`, garbageHello()), expect: 'closed' },
    { name: 'a TLS record that is not a handshake', send: () => afterConnect(`tls.origin.test:${origin.port}`, Buffer.from([0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5])), expect: 400 },
    // Absurd upstream responses.
    { name: 'invalid Set-Cookie lines from the origin', send: upstream('/invalid-cookies'), expect: 200 },
    { name: `${MANY_COOKIES} Set-Cookie lines from the origin`, send: upstream('/many-cookies'), expect: 200 },
    { name: 'a response head over 256 KiB', send: upstream('/huge-head'), expect: 502, code: BAD_UPSTREAM },
    { name: 'a NUL in an origin’s Set-Cookie', send: upstream('/nul-cookie'), expect: 502, code: BAD_UPSTREAM },
    { name: 'an origin status of 2000', send: upstream('/bad-status'), expect: 502, code: BAD_UPSTREAM },
  ];
}

interface SteadyClient {
  /** Stops the loop once it has made at least `minimum` requests, and resolves with what it saw. */
  stop(minimum: number): Promise<{ readonly ok: number; readonly errors: readonly string[] }>;
}

/**
 * A well-behaved client: plain requests over one kept-alive connection and,
 * every fifth, an HTTPS request through a decrypted tunnel, one after the
 * other until stopped.
 */
function steadyClient(): SteadyClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const errors: string[] = [];
  let ok = 0;
  let minimum = Number.POSITIVE_INFINITY;
  const loop = (async () => {
    for (let index = 0; index < minimum && index < 2_000; index += 1) {
      const path = `/steady-${index}`;
      try {
        const response =
          index % 5 === 4
            ? await proxyHttpsRequest(port(), `https://steady.origin.test:${secure.port}${path}`, { ca: proxyCa })
            : await proxyRequest(port(), target(path), { agent, headers: { host: 'sync.test' } });
        if (response.status === 200 && response.body.toString() === `ok ${path}`) ok += 1;
        else errors.push(`${path}: ${response.status} ${response.body.toString().slice(0, 100)}`);
      } catch (error) {
        errors.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return {
    stop: async (atLeast) => {
      minimum = atLeast;
      await loop;
      agent.destroy();
      return { ok, errors };
    },
  };
}

let proxyCa: string;

describe('the bad-input corpus', () => {
  it('answers every case properly while a well-behaved client sees no error', async () => {
    proxyCa = await readFile(proxy.addresses.caCertPath, 'utf8');
    const steady = steadyClient();
    // Every case at once, as a crowd of broken clients would come, and then again.
    const results = [];
    for (let round = 0; round < 2; round += 1) {
      results.push(...(await Promise.all(corpus().map(async (entry) => ({ entry, response: await entry.send() })))));
    }
    const seen = await steady.stop(100);

    const mismatches = results.flatMap(({ entry, response }) => {
      // Closed without an HTTP answer (a TLS alert at most).
      const got: Expected = response.raw.startsWith('HTTP/1.1 ') ? response.status : 'closed';
      const code = response.headers.get('x-jarsync-error')?.[0];
      const wrong = got !== entry.expect || (entry.code !== undefined && code !== entry.code);
      return wrong ? [`${entry.name}: expected ${String(entry.expect)} ${entry.code ?? ''}, got ${String(got)} ${code ?? ''} ${response.raw.slice(0, 120)}`] : [];
    });
    expect(mismatches).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(seen.ok).toBe(100);

    // Every Set-Cookie line of the absurd response reached the client, none dropped.
    for (const { entry, response } of results) {
      if (entry.name.startsWith(`${MANY_COOKIES}`)) expect(response.headers.get('set-cookie')).toHaveLength(MANY_COOKIES);
      if (entry.name.startsWith('invalid Set-Cookie')) expect(response.headers.get('set-cookie')).toHaveLength(8);
    }

    const status = await proxy.supervisor.status();
    expect(status.workers.map((worker) => [worker.alive, worker.restarts])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    expect(proxy.logs.filter((line) => line.startsWith('error:'))).toEqual([]);
  });
});

describe('a bad chunk once the origin has begun its answer', () => {
  it('cuts the connection rather than writing a second status line into the body', async () => {
    const connection = await openRaw(port());
    connection.socket.write(`POST ${target('/early')} HTTP/1.1\r\nHost: sync.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n`);
    await connection.waitFor('early ');
    connection.socket.write('zz\r\nnot a chunk\r\n');
    const response = await connection.closed(5_000);
    expect(response.status).toBe(200);
    expect(response.raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(response.raw).not.toContain('ok /early');
  });
});
