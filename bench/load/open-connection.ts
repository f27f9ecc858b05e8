/**
 * Opens one client connection to a target: TCP, then a CONNECT tunnel and TLS
 * when the target asks for them, each step bounded in time. Resolves with
 * the socket ready for an HTTP request.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ConnectionTarget } from './target.ts';

const CONNECT_RESPONSE_END = Buffer.from('\r\n\r\n');

export async function openConnection(target: ConnectionTarget, timeoutMs: number): Promise<net.Socket> {
  const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
  const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connection set-up timed out'), { code: 'SETUP_TIMEOUT' })), timeoutMs);
  try {
    await once(socket, 'connect');
    if (target.connect !== null) await tunnel(socket, target.connect);
    if (target.tls === null) return socket;
    const secure = tls.connect({ socket, servername: target.tls.servername, secureContext: target.tls.context, ALPNProtocols: ['http/1.1'] });
    secure.setNoDelay(true);
    await once(secure, 'secureConnect');
    return secure;
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function once(socket: net.Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.off(event, onEvent);
      reject(error);
    };
    const onClose = (): void => {
      onError(Object.assign(new Error('closed during set-up'), { code: 'CLOSED_EARLY' }));
    };
    const onEvent = (): void => {
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve();
    };
    socket.once(event, onEvent);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/** Sends CONNECT and reads the proxy's answer; anything but 2xx fails with its status line. */
function tunnel(socket: net.Socket, authority: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      onError(Object.assign(new Error('closed before the CONNECT answer'), { code: 'CLOSED_EARLY' }));
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(CONNECT_RESPONSE_END);
      if (end < 0) return;
      cleanup();
      socket.pause();
      const rest = received.subarray(end + CONNECT_RESPONSE_END.length);
      // Nothing follows a CONNECT answer until the client speaks; keep it anyway.
      if (rest.length > 0) socket.unshift(rest);
      const status = received.toString('latin1', 0, received.indexOf('\r\n'));
      if (/^HTTP\/1\.[01] 2\d\d/.test(status)) resolve();
      else reject(Object.assign(new Error(`CONNECT refused: ${status}`), { code: `CONNECT ${status.slice(9, 12)}` }));
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}
