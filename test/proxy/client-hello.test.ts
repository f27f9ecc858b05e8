import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peekClientHello } from '../../src/proxy/client-hello.ts';

/** The first bytes a real TLS client sends, captured by a server that never answers. */
let capture: (options: tls.ConnectionOptions) => Promise<Buffer>;
let server: net.Server;

beforeAll(async () => {
  const waiting: ((data: Buffer) => void)[] = [];
  server = net.createServer((socket) => {
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      // A record header says how long the first record is; wait for all of it.
      if (data.length >= 5 && data.length >= 5 + data.readUInt16BE(3)) {
        waiting.shift()?.(data);
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  capture = (options) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      const client = tls.connect({ host: '127.0.0.1', port, ...options });
      client.on('error', () => undefined);
    });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('peekClientHello', () => {
  it('finds the SNI name of a real ClientHello', async () => {
    const hello = await capture({ servername: 'Shop.Example.TEST' });
    expect(peekClientHello(hello)).toEqual({ kind: 'tls', serverName: 'shop.example.test' });
  });

  it('says TLS without a name when the client sends no SNI', async () => {
    const hello = await capture({});
    expect(peekClientHello(hello)).toEqual({ kind: 'tls', serverName: null });
  });

  it('asks for more bytes while the hello is cut short, at any point', async () => {
    const hello = await capture({ servername: 'split.test' });
    for (const cut of [1, 4, 5, 40, hello.length - 1]) expect(peekClientHello(hello.subarray(0, cut))).toEqual({ kind: 'incomplete' });
  });

  it('joins a hello split over two handshake records', async () => {
    const hello = await capture({ servername: 'fragmented.test' });
    const body = hello.subarray(5);
    const half = Math.floor(body.length / 2);
    const record = (fragment: Buffer): Buffer => Buffer.concat([Buffer.from([0x16, 0x03, 0x01, fragment.length >> 8, fragment.length & 0xff]), fragment]);
    const split = Buffer.concat([record(body.subarray(0, half)), record(body.subarray(half))]);
    expect(peekClientHello(split)).toEqual({ kind: 'tls', serverName: 'fragmented.test' });
  });

  it.each([
    ['plain HTTP', Buffer.from('GET / HTTP/1.1\r\n')],
    ['a handshake record with a version that is not 3.x', Buffer.from([0x16, 0x09, 0x01, 0x00, 0x01, 0x01])],
    ['a handshake that is not a ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00])],
  ])('says not TLS for %s', (_, data) => {
    expect(peekClientHello(data)).toEqual({ kind: 'not-tls' });
  });

  it('gives no name for a truncated or garbled hello instead of throwing', () => {
    const garbled = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0xff, 0xff]);
    expect(peekClientHello(garbled)).toEqual({ kind: 'tls', serverName: null });
  });
});
