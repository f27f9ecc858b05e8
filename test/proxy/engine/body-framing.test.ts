/**
 * Bodies pass through the engine in the framing they came in: a chunked
 * response stays chunked (extensions and trailers included), a body that runs
 * to the origin's close closes the client's connection after it, HEAD, 204
 * and 304 end at their heads, and a chunked request reaches the origin as the
 * client chunked it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRaw } from '../../helpers/raw-http.ts';
import type { RunningEngine, ScriptedOrigin } from './engine-harness.ts';
import { startEngine, startScriptedOrigin, until } from './engine-harness.ts';

/** What the origin answers, by request path; it reads each request head and answers at once. */
const ANSWERS = new Map<string, string>([
  ['/chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n'],
  ['/head', 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n'],
  ['/204', 'HTTP/1.1 204 No Content\r\nX-Kind: none\r\n\r\n'],
  ['/304', 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 99\r\n\r\n'],
  ['/length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfive!'],
]);

/** How the chunked upload below ends: its trailer and the final CRLF. */
const UPLOAD_END = 'X-Checksum: 1\r\n\r\n';

let engine: RunningEngine;
let origin: ScriptedOrigin;

beforeAll(async () => {
  origin = await startScriptedOrigin((connection) => {
    // Reads request heads one after another and answers each at once; an
    // upload is answered once its last chunk and trailer are in.
    let consumed = 0;
    connection.socket.on('data', () => {
      const text = connection.received();
      for (;;) {
        const end = text.indexOf('\r\n\r\n', consumed);
        if (end < 0) return;
        const path = text.slice(consumed, end).split(' ')[1] ?? '';
        if (path === '/upload') {
          const bodyEnd = text.indexOf(UPLOAD_END, end + 4);
          if (bodyEnd < 0) return;
          consumed = bodyEnd + UPLOAD_END.length;
          connection.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
          continue;
        }
        consumed = end + 4;
        if (path === '/until-close') connection.socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nruns until the origin closes');
        else connection.socket.write(ANSWERS.get(path) ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      }
    });
  });
  engine = await startEngine();
});

afterAll(async () => {
  await engine.close();
  await origin.close();
});

const get = (path: string, method = 'GET'): string => `${method} http://frame.test:${origin.port}${path} HTTP/1.1\r\nHost: frame.test\r\n\r\n`;

describe('response bodies', () => {
  it('a chunked response passes as the origin framed it, extensions and trailers included', async () => {
    const client = await openRaw(engine.port);
    client.socket.write(get('/chunked'));
    await client.waitFor('X-Sum: 11\r\n\r\n');
    const raw = client.received();
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toContain('\r\nTransfer-Encoding: chunked\r\n');
    expect(raw).toContain('\r\nTrailer: X-Sum\r\n');
    expect(raw.slice(raw.indexOf('\r\n\r\n') + 4)).toBe('5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n');
    // The connection goes on.
    client.socket.write(get('/length'));
    await client.waitFor('five!');
    client.socket.destroy();
  });

  it('a body that runs until the origin closes closes the client’s connection after it', async () => {
    const client = await openRaw(engine.port);
    client.socket.write(get('/until-close'));
    const response = await client.closed();
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toEqual(['close']);
    expect(response.body).toBe('runs until the origin closes');
  });

  it.each([
    ['HEAD', '/head', 'Content-Length: 1234'],
    ['GET', '/204', 'X-Kind: none'],
    ['GET', '/304', 'Content-Length: 99'],
  ])('%s %s ends at its head, and the next response follows on the same connection', async (method, path, field) => {
    const client = await openRaw(engine.port);
    client.socket.write(get(path, method));
    await client.waitFor(`${field}\r\n`);
    client.socket.write(get('/length'));
    await client.waitFor('five!');
    const raw = client.received();
    // The second status line comes right after the first head: no body in between.
    expect(raw.indexOf('HTTP/1.1 200 OK', raw.indexOf('\r\n\r\n'))).toBe(raw.indexOf('\r\n\r\n') + 4);
    client.socket.destroy();
  });
});

describe('request bodies', () => {
  it('a chunked request reaches the origin in its own framing', async () => {
    const client = await openRaw(engine.port);
    const body = '4\r\nwiki\r\n5;note=x\r\npedia\r\n0\r\nX-Checksum: 1\r\n\r\n';
    client.socket.write(`POST http://frame.test:${origin.port}/upload HTTP/1.1\r\nHost: frame.test\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
    await client.waitFor('\r\n\r\nok');
    // The origin's connection is pooled: earlier tests' requests may precede this one on it.
    const received = origin.connections.find((connection) => connection.received().includes('/upload'))?.received() ?? '';
    const upstream = received.slice(received.indexOf('POST /upload '));
    expect(upstream).toMatch(/^POST \/upload HTTP\/1\.1\r\nHost: frame\.test:\d+\r\n/);
    expect(upstream).toContain('\r\nTransfer-Encoding: chunked\r\n');
    expect(upstream.slice(upstream.indexOf('\r\n\r\n') + 4)).toBe(body);
    client.socket.destroy();
  });
});

describe('an origin that breaks its chunked framing', () => {
  it('is answered 502 while nothing of its response went out', async () => {
    const broken = await startScriptedOrigin((connection) => {
      void connection.waitFor('\r\n\r\n').then(() => connection.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n'));
    });
    try {
      const client = await openRaw(engine.port);
      client.socket.write(`GET http://frame.test:${broken.port}/ HTTP/1.1\r\nHost: frame.test\r\nConnection: close\r\n\r\n`);
      const response = await client.closed();
      expect(response.status).toBe(502);
      expect(response.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_UPSTREAM_BAD_RESPONSE']);
    } finally {
      await broken.close();
    }
  });

  it('cuts the client’s connection once the response has begun', async () => {
    const broken = await startScriptedOrigin((connection) => {
      void connection.waitFor('\r\n\r\n').then(() => {
        connection.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
        setTimeout(() => connection.socket.write('zz\r\n'), 50);
      });
    });
    try {
      const client = await openRaw(engine.port);
      client.socket.write(`GET http://frame.test:${broken.port}/ HTTP/1.1\r\nHost: frame.test\r\n\r\n`);
      const response = await client.closed();
      expect(response.status).toBe(200);
      expect(response.body).toBe('3\r\nabc\r\n');
      await until(() => String(broken.connections[0]?.socket.destroyed), 'true');
    } finally {
      await broken.close();
    }
  });
});
