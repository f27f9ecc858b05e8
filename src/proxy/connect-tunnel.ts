import net from 'node:net';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerAndClose } from './client-answer.ts';
import type { ClientHelloPeek } from './client-hello.ts';
import { peekClientHello } from './client-hello.ts';
import type { UpstreamFailure } from './upstream-failure.ts';
import { UpstreamTimeout, classifyUpstreamFailure } from './upstream-failure.ts';

export const CONNECT_ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

export interface BlindTunnelOptions {
  readonly host: string;
  readonly port: number;
  /** The lookup for this port (target-guard.ts: it refuses this machine's protected ports). */
  readonly lookup: LookupFunction;
  readonly connectTimeoutMs: number;
  /** Bytes the client already sent into the tunnel. */
  readonly early: Buffer;
  /** Whether the client still waits for the answer to its CONNECT. */
  readonly answerConnect: boolean;
  readonly onUpstreamError: (failure: UpstreamFailure) => void;
}

/**
 * A tunnel whose bytes are never read: connect first, and only then tell the
 * client `200`, so a CONNECT to a closed port or an unknown host gets a proper
 * 502 (or 504) instead of a tunnel that dies at once.
 */
export function openBlindTunnel(client: Duplex, options: BlindTunnelOptions): void {
  const upstream = net.connect({ host: options.host, port: options.port, lookup: options.lookup });
  let joined = false;
  const timer =
    options.connectTimeoutMs > 0
      ? setTimeout(() => upstream.destroy(new UpstreamTimeout('connect', options.connectTimeoutMs)), options.connectTimeoutMs)
      : undefined;
  const onClientGone = (): void => {
    upstream.destroy();
  };
  client.once('close', onClientGone);
  client.on('error', onClientGone);

  upstream.once('connect', () => {
    clearTimeout(timer);
    joined = true;
    upstream.setNoDelay(true);
    if (options.answerConnect) client.write(CONNECT_ESTABLISHED);
    if (options.early.length > 0) upstream.write(options.early);
    upstream.once('close', () => client.destroy());
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (error) => {
    clearTimeout(timer);
    if (joined || !options.answerConnect || client.destroyed) {
      client.destroy();
      return;
    }
    const failure = classifyUpstreamFailure(error, `${options.host}:${options.port}`);
    options.onUpstreamError(failure);
    answerAndClose(client, failure);
  });
}

export type PeekResult =
  | { readonly kind: 'bytes'; readonly data: Buffer; readonly hello: ClientHelloPeek }
  | { readonly kind: 'silent'; readonly data: Buffer }
  | { readonly kind: 'closed' };

/**
 * Reads the first bytes of a tunnel, until they show a whole ClientHello, show
 * that this is not TLS, or `timeoutMs` passes with the client silent (a
 * protocol where the server speaks first). The bytes are returned, not
 * consumed: the caller puts them back with `unshift` or writes them upstream.
 */
export function peekTunnel(client: Duplex, early: Buffer, timeoutMs: number): Promise<PeekResult> {
  return new Promise((resolve) => {
    let data = early;
    let done = false;
    const finish = (result: PeekResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.removeListener('data', onData);
      client.removeListener('close', onClose);
      client.pause();
      resolve(result);
    };
    const check = (): void => {
      if (data.length === 0) return;
      const hello = peekClientHello(data);
      if (hello.kind !== 'incomplete') finish({ kind: 'bytes', data, hello });
    };
    const onData = (chunk: Buffer): void => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      check();
    };
    const onClose = (): void => {
      finish({ kind: 'closed' });
    };
    const timer = setTimeout(() => {
      finish(data.length === 0 ? { kind: 'silent', data } : { kind: 'bytes', data, hello: { kind: 'not-tls' } });
    }, timeoutMs);
    client.on('data', onData);
    client.once('close', onClose);
    check();
  });
}
