/**
 * A Node client that speaks to the proxy the way browsers and curl do:
 * absolute-form requests for http, CONNECT then TLS for https.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: http.OutgoingHttpHeaders | readonly string[];
  readonly body?: Buffer | string;
  readonly agent?: http.Agent | false;
}

function collect(res: http.IncomingMessage): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) });
    });
    res.on('error', reject);
  });
}

/** Sends `url` as an absolute-form request to the proxy at `proxyPort`. */
export function proxyRequest(proxyPort: number, url: string, options: RequestOptions = {}): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxyPort,
      method: options.method ?? 'GET',
      path: url,
      headers: (options.headers ?? { host: new URL(url).host }) as http.OutgoingHttpHeaders,
      agent: options.agent ?? false,
    });
    req.on('response', (res) => {
      collect(res).then(resolve, reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a CONNECT tunnel; resolves with the raw socket once the proxy answered 200. */
export function connectTunnel(proxyPort: number, authority: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority, headers: { host: authority }, agent: false });
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new Error(`CONNECT ${authority} answered ${res.statusCode ?? 0}`));
      }
    });
    req.on('error', reject);
    req.end();
  });
}

/** TLS through a CONNECT tunnel; resolves once the handshake is done (or rejects with its error). */
export async function tlsThroughProxy(
  proxyPort: number,
  host: string,
  port: number,
  options: { readonly ca?: string | readonly string[]; readonly servername?: string; readonly ALPNProtocols?: string[] } = {},
): Promise<tls.TLSSocket> {
  const socket = await connectTunnel(proxyPort, `${host}:${port}`);
  return new Promise((resolve, reject) => {
    const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
    const secure = tls.connect({
      socket,
      // The name the certificate is checked against; an IP sends no SNI at all.
      host,
      ...(servername === undefined ? {} : { servername }),
      ...(options.ca === undefined ? {} : { ca: options.ca as string[] }),
      ...(options.ALPNProtocols === undefined ? {} : { ALPNProtocols: options.ALPNProtocols }),
    });
    secure.once('secureConnect', () => {
      resolve(secure);
    });
    secure.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** An https request through the proxy, the tunnel and TLS made by hand. */
export async function proxyHttpsRequest(
  proxyPort: number,
  url: string,
  options: RequestOptions & { readonly ca?: string | readonly string[] } = {},
): Promise<ProxiedResponse> {
  const target = new URL(url);
  const port = Number(target.port === '' ? 443 : target.port);
  const secure = await tlsThroughProxy(proxyPort, target.hostname, port, options.ca === undefined ? {} : { ca: options.ca });
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: target.hostname,
      port,
      method: options.method ?? 'GET',
      path: `${target.pathname}${target.search}`,
      headers: (options.headers ?? {}) as http.OutgoingHttpHeaders,
      // With no agent given, Node uses createConnection (agent: false would not).
      createConnection: () => secure,
    });
    req.on('response', (res) => {
      collect(res).then(
        (value) => {
          secure.destroy();
          resolve(value);
        },
        reject,
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
