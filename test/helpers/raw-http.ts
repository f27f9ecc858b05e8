/**
 * Sends bytes exactly as written and reads the answer until the proxy closes the
 * connection: for requests a well-behaved client library refuses to send.
 */
import net from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names in lower case, every value kept. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: string;
  readonly raw: string;
}

export function parseRawResponse(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: end < 0 ? '' : raw.slice(end + 4), raw };
}

export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of response within ${timeoutMs} ms: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRawResponse(Buffer.concat(chunks).toString('latin1')));
    });
    socket.write(bytes);
  });
}

/** A raw connection kept open: bytes go in when the test says, and everything that comes back is kept. */
export interface RawConnection {
  readonly socket: net.Socket;
  /** All bytes received so far, as latin1 text. */
  received(): string;
  /** Resolves with everything received once the proxy closes the connection (or rejects after `timeoutMs`). */
  closed(timeoutMs?: number): Promise<RawResponse>;
  /** Resolves once the received text contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

export function openRaw(port: number, options: { readonly localAddress?: string } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) });
    const chunks: Buffer[] = [];
    let ended = false;
    const waiters = new Set<() => void>();
    const wake = (): void => {
      for (const waiter of waiters) waiter();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      ended = true;
      wake();
    });
    const received = (): string => Buffer.concat(chunks).toString('latin1');
    const until = (done: () => boolean, what: string, timeoutMs: number): Promise<void> =>
      new Promise((settle, fail) => {
        const check = (): void => {
          if (done()) {
            waiters.delete(check);
            clearTimeout(timer);
            settle();
          } else if (ended) {
            waiters.delete(check);
            clearTimeout(timer);
            fail(new Error(`closed before ${what}: ${received().slice(0, 200)}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          socket.destroy();
          fail(new Error(`no ${what} within ${timeoutMs} ms: ${received().slice(0, 200)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    socket.once('connect', () => {
      resolve({
        socket,
        received,
        closed: async (timeoutMs = 10_000) => {
          await until(() => ended, 'close', timeoutMs);
          return parseRawResponse(received());
        },
        waitFor: (text, timeoutMs = 10_000) => until(() => received().includes(text), JSON.stringify(text), timeoutMs),
      });
    });
    socket.once('error', reject);
  });
}
