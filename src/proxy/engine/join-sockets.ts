import type { Duplex } from 'node:stream';

/**
 * Joins two sockets byte for byte after a protocol switch (a 101): what one
 * reads the other writes, with back-pressure both ways (pipe), and when
 * either side fails or closes, both close.
 */
export function joinSockets(client: Duplex, upstream: Duplex): void {
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth);
  upstream.on('error', closeBoth);
  client.once('close', closeBoth);
  upstream.once('close', closeBoth);
  upstream.pipe(client);
  client.pipe(upstream);
}
