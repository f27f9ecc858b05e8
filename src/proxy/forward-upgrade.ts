import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerAndClose } from './client-answer.ts';
import { captureRequestCookies, captureResponseCookies } from './cookie-capture.ts';
import type { ForwardContext } from './forward-request.ts';
import { stripHopByHop } from './hop-by-hop.ts';
import type { Target } from './target.ts';
import { authorityOf } from './target.ts';
import { UPSTREAM_MAX_HEADER_SIZE } from './upstream-agents.ts';
import { UpstreamTimeout, classifyUpstreamFailure } from './upstream-failure.ts';

function head(status: number, reason: string, raw: readonly string[]): string {
  let text = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) text += `${raw[i] ?? ''}: ${raw[i + 1] ?? ''}\r\n`;
  return `${text}\r\n`;
}

/**
 * Passes a protocol switch (WebSocket, or any `Upgrade`) through: the request
 * goes upstream on a connection of its own, and on `101` the two sockets are
 * joined byte for byte. A Set-Cookie on the 101 counts like any other.
 */
export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  early: Buffer,
  target: Target,
  context: ForwardContext,
): void {
  const secure = target.scheme === 'https';
  const authority = authorityOf(target);
  const refused = context.guard.check(context.connectHost, target.port);
  if (refused !== null) {
    const failure = classifyUpstreamFailure(refused, authority);
    context.onUpstreamError(failure);
    answerAndClose(client, failure);
    return;
  }
  const headers = stripHopByHop(req.rawHeaders, context.rewriteHost ? { keepUpgrade: true, host: authority } : { keepUpgrade: true });
  if (context.sink !== null) captureRequestCookies(context.sink, target, req.headers.cookie, context.client);

  const options: https.RequestOptions = {
    host: context.connectHost,
    port: target.port,
    method: req.method ?? 'GET',
    path: target.path,
    headers,
    setHost: false,
    agent: false,
    lookup: context.guard.lookupFor(target.port),
    maxHeaderSize: UPSTREAM_MAX_HEADER_SIZE,
  };
  if (secure) {
    Object.assign(options, context.agents.tlsOptions);
    options.servername = net.isIP(target.host) === 0 ? target.host : '';
  }
  const upstream = (secure ? https : http).request(options);
  upstream.maxHeadersCount = 0;
  const timer =
    context.connectTimeoutMs > 0
      ? setTimeout(() => upstream.destroy(new UpstreamTimeout('response', context.connectTimeoutMs)), context.connectTimeoutMs)
      : undefined;
  client.once('close', () => upstream.destroy());
  client.on('error', () => upstream.destroy());

  upstream.once('upgrade', (upstreamRes, upstreamSocket, upstreamEarly) => {
    clearTimeout(timer);
    if (context.sink !== null) {
      captureResponseCookies(context.sink, target, upstreamRes.headers['set-cookie'], context.client);
    }
    client.write(head(upstreamRes.statusCode ?? 101, upstreamRes.statusMessage ?? 'Switching Protocols', upstreamRes.rawHeaders));
    if (upstreamEarly.length > 0) client.write(upstreamEarly);
    if (early.length > 0) upstreamSocket.write(early);
    upstreamSocket.on('error', () => client.destroy());
    client.on('error', () => upstreamSocket.destroy());
    upstreamSocket.once('close', () => client.destroy());
    client.once('close', () => upstreamSocket.destroy());
    upstreamSocket.pipe(client);
    client.pipe(upstreamSocket);
  });

  upstream.once('response', (upstreamRes) => {
    // The origin declined to switch: relay its answer and close, since the
    // client's connection was already handed over for an upgrade.
    clearTimeout(timer);
    if (context.sink !== null) {
      captureResponseCookies(context.sink, target, upstreamRes.headers['set-cookie'], context.client);
    }
    const out = stripHopByHop(upstreamRes.rawHeaders);
    out.push('Connection', 'close');
    client.write(head(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage ?? '', out));
    upstreamRes.pipe(client);
  });

  upstream.once('error', (error) => {
    clearTimeout(timer);
    if (client.destroyed) return;
    const failure = classifyUpstreamFailure(error, authority);
    context.onUpstreamError(failure);
    answerAndClose(client, failure);
  });

  upstream.end();
}
