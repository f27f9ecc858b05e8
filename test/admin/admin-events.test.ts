/**
 * serveEventStream on a real HTTP server, fed by subjects standing in for the
 * supervisor's streams: framing, heartbeat, the end of the subscription, and
 * the bound on a slow reader.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CookieChange, CookieRefusal } from '../../src/actors/cookie-change.ts';
import { serveEventStream, type EventStream, type EventStreamOptions } from '../../src/supervisor/admin-events.ts';
import { openSse } from './sse-client.ts';

interface Rig {
  readonly url: string;
  readonly cookies$: Subject<CookieChange>;
  readonly refused$: Subject<CookieRefusal>;
  readonly streams: EventStream[];
  readonly port: number;
}

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function rig(options: EventStreamOptions = {}): Promise<Rig> {
  const cookies$ = new Subject<CookieChange>();
  const refused$ = new Subject<CookieRefusal>();
  const streams: EventStream[] = [];
  const server = http.createServer((req, res) => {
    streams.push(serveEventStream(req, res, { cookies$, refused$ }, options));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, cookies$, refused$, streams, port };
}

function change(value: string): CookieChange {
  return { type: 'added', cookie: { key: 'sid', value, domain: 'example.com', path: '/' }, source: 'response', url: 'https://example.com/', client: '127.0.0.1:1', at: 1 };
}

const REFUSAL: CookieRefusal = { reason: 'domain-mismatch', detail: 'not yours', header: 'a=1; Domain=other.com', url: 'https://example.com/', client: null, at: 2 };

describe('serveEventStream', () => {
  it('sends each change as `event: cookie` and each refusal as `event: refused`, JSON on one data line', async () => {
    const { url, cookies$, refused$ } = await rig();
    const client = await openSse(url, {});
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    cookies$.next(change('line1\nline2'));
    refused$.next(REFUSAL);
    const cookie = await client.waitFor((event) => event.event === 'cookie');
    expect(JSON.parse(cookie.data)).toEqual(change('line1\nline2'));
    const refused = await client.waitFor((event) => event.event === 'refused');
    expect(JSON.parse(refused.data)).toEqual(REFUSAL);
    expect(client.events.map((event) => event.event)).toEqual(['cookie', 'refused']);
    client.close();
  });

  it('sends a heartbeat comment while idle', async () => {
    const { url } = await rig({ heartbeatMs: 30 });
    const client = await openSse(url, {});
    await expect.poll(() => client.comments.filter((comment) => comment === 'heartbeat').length, { timeout: 2_000 }).toBeGreaterThanOrEqual(2);
    client.close();
  });

  it('unsubscribes when the client goes away', async () => {
    const { url, cookies$, refused$, streams } = await rig();
    const client = await openSse(url, {});
    await expect.poll(() => cookies$.observed && refused$.observed).toBe(true);
    client.close();
    await streams[0]?.closed;
    expect(cookies$.observed).toBe(false);
    expect(refused$.observed).toBe(false);
  });

  it('ends the response when the sources complete, or when end() is called', async () => {
    const first = await rig();
    const one = await openSse(first.url, {});
    first.cookies$.complete();
    await one.ended;
    expect(first.refused$.observed).toBe(false);

    const second = await rig();
    const two = await openSse(second.url, {});
    await expect.poll(() => second.streams.length).toBe(1);
    second.streams[0]?.end();
    await two.ended;
    expect(second.cookies$.observed).toBe(false);
  });

  it('bounds what a slow reader costs: drops the oldest frames and reports how many', async () => {
    const { port, cookies$ } = await rig({ maxFrames: 50 });
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    // The client reads nothing while the burst is pushed.
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const total = 5_000;
    const padding = 'x'.repeat(2_000);
    for (let index = 0; index < total; index += 1) cookies$.next(change(`${index}:${padding}`));

    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.resume();
    await expect.poll(() => text.includes(`"value":"${total - 1}:`), { timeout: 5_000 }).toBe(true);
    socket.destroy();

    const received = [...text.matchAll(/"value":"(\d+):/g)].map((match) => Number(match[1]));
    const dropped = [...text.matchAll(/event: dropped\ndata: (\{[^\n]*\})/g)].map((match) => (JSON.parse(match[1] ?? '{}') as { dropped: number }).dropped);
    expect(dropped.length).toBeGreaterThanOrEqual(1);
    const droppedTotal = dropped.reduce((sum, count) => sum + count, 0);
    expect(received.length + droppedTotal).toBe(total);
    expect(received.length).toBeLessThan(total);
    // In order, with the newest kept: the gap is before the queued frames, not after.
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(received.at(-1)).toBe(total - 1);
    expect(text.indexOf('event: dropped')).toBeLessThan(text.indexOf(`"value":"${total - 1}:`));
  });
});
