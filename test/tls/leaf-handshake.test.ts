/**
 * Minted leaves in real TLS: a Node TLS server presents a leaf and the shared
 * key (chosen by SNI, as a connection worker does), and Node's TLS client and
 * curl accept it with nothing but the jarsync CA as root.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { checkServerIdentity, connect, createSecureContext, TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeafKey, type LeafKey, type LeafKeyType } from '../../src/tls/leaf-key.ts';
import { createLeafMinter } from '../../src/tls/mint-leaf.ts';
import { createTempCa, type TempCa } from './temp-ca.ts';

const run = promisify(execFile);

let temp: TempCa;
beforeAll(async () => {
  temp = await createTempCa();
});
afterAll(() => {
  temp.remove();
});

interface MitmServer {
  readonly port: number;
  close(): Promise<void>;
}

/** An HTTPS server that mints a leaf per SNI name (the IP's leaf when there is none) and answers with the name it served. */
async function startServer(leafKey: LeafKey): Promise<MitmServer> {
  const mint = createLeafMinter({ caCertPem: temp.ca.certPem, caKeyPem: temp.ca.keyPem, leafPublicKeyPem: leafKey.publicKeyPem });
  const contextFor = (host: string) => createSecureContext({ key: leafKey.privateKeyPem, cert: mint(host, Date.now()).certPem });
  const server: Server = createServer(
    {
      key: leafKey.privateKeyPem,
      cert: mint('127.0.0.1', Date.now()).certPem,
      SNICallback: (servername, callback) => {
        callback(null, contextFor(servername));
      },
    },
    (request, response) => {
      const { socket } = request;
      const servername = socket instanceof TLSSocket ? socket.servername : null;
      response.end(`served ${typeof servername === 'string' && servername !== '' ? servername : 'no-sni'}`);
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

interface Handshake {
  readonly error: Error | null;
  readonly authorized: boolean;
  /** The server's certificate as the client saw it (null when the handshake failed). */
  readonly peer: PeerCertificate | null;
  readonly peerKeyType: string | undefined;
}

/** Completes a handshake (or fails it), records what the client saw, and closes. */
async function handshake(options: ConnectionOptions): Promise<Handshake> {
  const socket = connect(options);
  try {
    await once(socket, 'secureConnect');
    return {
      error: null,
      authorized: socket.authorized,
      peer: socket.getPeerCertificate(),
      peerKeyType: socket.getPeerX509Certificate()?.publicKey.asymmetricKeyType,
    };
  } catch (error) {
    return { error: error as Error, authorized: false, peer: null, peerKeyType: undefined };
  } finally {
    socket.destroy();
  }
}

describe.each<LeafKeyType>(['ec', 'rsa'])('a %s leaf key in a TLS handshake', (type) => {
  let leafKey: LeafKey;
  let server: MitmServer;
  beforeAll(async () => {
    leafKey = await createLeafKey(type);
    server = await startServer(leafKey);
  });
  afterAll(async () => {
    await server.close();
  });

  it('is accepted by Node’s TLS client for a host name, and checkServerIdentity passes', async () => {
    const { error, authorized, peer, peerKeyType } = await handshake({ host: '127.0.0.1', port: server.port, servername: 'mitm.example', ca: temp.ca.certPem });
    expect(error).toBeNull();
    expect(authorized).toBe(true);
    expect(peer?.subject.CN).toBe('mitm.example');
    expect(peer && checkServerIdentity('mitm.example', peer)).toBeUndefined();
    expect(peerKeyType).toBe(type);
  });

  it('is accepted for an IP address without SNI', async () => {
    const { error, authorized, peer } = await handshake({ host: '127.0.0.1', port: server.port, ca: temp.ca.certPem });
    expect(error).toBeNull();
    expect(authorized).toBe(true);
    expect(peer?.subject.CN).toBe('127.0.0.1');
    expect(peer && checkServerIdentity('127.0.0.1', peer)).toBeUndefined();
  });

  it('is refused for another name and without the jarsync CA (the checks can fail)', async () => {
    const { peer } = await handshake({ host: '127.0.0.1', port: server.port, servername: 'mitm.example', ca: temp.ca.certPem });
    expect(peer && checkServerIdentity('other.example', peer)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const untrusted = await handshake({ host: '127.0.0.1', port: server.port, servername: 'mitm.example' });
    expect(untrusted.error).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('is accepted by curl with --cacert and --resolve', async () => {
    const url = `https://mitm.example:${server.port}/`;
    const { stdout } = await run('curl', ['--silent', '--show-error', '--fail', '--max-time', '5', '--cacert', temp.ca.certPath, '--resolve', `mitm.example:${server.port}:127.0.0.1`, url]);
    expect(stdout).toBe('served mitm.example');
    const ip = await run('curl', ['--silent', '--show-error', '--fail', '--max-time', '5', '--cacert', temp.ca.certPath, `https://127.0.0.1:${server.port}/`]);
    expect(ip.stdout).toBe('served no-sni');
  });

  it('is refused by curl without the jarsync CA', async () => {
    const refused = run('curl', ['--silent', '--show-error', '--fail', '--max-time', '5', '--resolve', `mitm.example:${server.port}:127.0.0.1`, `https://mitm.example:${server.port}/`]);
    // curl exit code 60: peer certificate cannot be authenticated with known CA certificates.
    await expect(refused).rejects.toMatchObject({ code: 60 });
  });
});
