import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAnswer } from './client-answer.ts';
import type { CookieSink } from './cookie-capture.ts';
import { captureRequestCookies, captureResponseCookies } from './cookie-capture.ts';
import { stripHopByHop } from './hop-by-hop.ts';
import type { Target } from './target.ts';
import { authorityOf } from './target.ts';
import type { TargetGuard } from './target-guard.ts';
import type { UpstreamAgents } from './upstream-agents.ts';
import { UPSTREAM_MAX_HEADER_SIZE } from './upstream-agents.ts';
import type { UpstreamFailure } from './upstream-failure.ts';
import { UpstreamTimeout, classifyUpstreamFailure } from './upstream-failure.ts';

/** What forwarding one request needs from the worker around it. */
export interface ForwardContext {
  readonly agents: UpstreamAgents;
  /** Refuses targets on this machine's protected ports (the proxy itself, the admin API). */
  readonly guard: TargetGuard;
  readonly connectTimeoutMs: number;
  /** Longest wait for the response head once the request is sent. */
  readonly responseTimeoutMs: number;
  /** Where this request's cookie headers go; null when its origin is not synced. */
  readonly sink: CookieSink | null;
  /** The client's `address:port`, recorded on cookie events. */
  readonly client: string;
  /** The address to connect to when it differs from `target.host` (a CONNECT to an IP with a named SNI). */
  readonly connectHost: string;
  /** True to send the target's authority as Host (absolute-form requests); false keeps the client's. */
  readonly rewriteHost: boolean;
  /** True once the worker is draining: the response then closes the client connection. */
  readonly closing: () => boolean;
  readonly onUpstreamError: (failure: UpstreamFailure) => void;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function isStaleSocketError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || (error instanceof Error && error.message === 'socket hang up');
}

/**
 * Forwards one request upstream over a pooled keep-alive connection and streams
 * the response back. Bodies flow both ways as streams, never buffered whole;
 * Content-Encoding is passed through untouched. Cookie headers of a synced
 * origin go to `context.sink`. Returns a function that drops the upstream side
 * without answering the client (whoever calls it answers).
 */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, target: Target, context: ForwardContext): () => void {
  const secure = target.scheme === 'https';
  const authority = authorityOf(target);
  const refused = context.guard.check(context.connectHost, target.port);
  if (refused !== null) {
    const failure = classifyUpstreamFailure(refused, authority);
    context.onUpstreamError(failure);
    sendAnswer(res, failure);
    return () => undefined;
  }
  const headers = stripHopByHop(req.rawHeaders, context.rewriteHost ? { host: authority, dropExpect: true } : { dropExpect: true });
  if (context.sink !== null) captureRequestCookies(context.sink, target, req.headers.cookie, context.client);

  const withBody = hasBody(req);
  let responded = false;
  let aborted = false;
  let current: http.ClientRequest | undefined;

  res.on('close', () => {
    // The client went away before the whole response was sent: drop the
    // upstream exchange too, so its socket is not returned to the pool mid-body.
    if (!res.writableFinished) current?.destroy();
  });

  const send = (mayRetry: boolean): void => {
    const options: https.RequestOptions = {
      host: context.connectHost,
      port: target.port,
      method: req.method ?? 'GET',
      path: target.path,
      headers,
      setHost: false,
      agent: secure ? context.agents.https : context.agents.http,
      lookup: context.guard.lookupFor(target.port),
      maxHeaderSize: UPSTREAM_MAX_HEADER_SIZE,
    };
    if (secure) options.servername = net.isIP(target.host) === 0 ? target.host : '';
    const upstream = (secure ? https : http).request(options);
    upstream.maxHeadersCount = 0;
    current = upstream;
    let timer: NodeJS.Timeout | undefined;
    const arm = (phase: 'connect' | 'response', ms: number): void => {
      clearTimeout(timer);
      if (ms > 0) timer = setTimeout(() => upstream.destroy(new UpstreamTimeout(phase, ms)), ms);
    };

    upstream.once('socket', (socket) => {
      if (!socket.connecting) return;
      arm('connect', context.connectTimeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
      });
    });
    upstream.once('finish', () => {
      arm('response', context.responseTimeoutMs);
    });

    upstream.once('response', (upstreamRes) => {
      clearTimeout(timer);
      responded = true;
      if (context.sink !== null) {
        captureResponseCookies(context.sink, target, upstreamRes.headers['set-cookie'], context.client);
      }
      const out = stripHopByHop(upstreamRes.rawHeaders);
      if (context.closing()) out.push('Connection', 'close');
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, out);
      upstreamRes.pipe(res);
      upstreamRes.once('close', () => {
        // An upstream that dies mid-body ends this client's response abruptly
        // (the client sees a short body on a closed connection), never a hang.
        if (!upstreamRes.complete) res.destroy();
      });
    });

    upstream.once('error', (error) => {
      clearTimeout(timer);
      if (aborted) return;
      if (responded) {
        res.destroy();
        return;
      }
      if (mayRetry && upstream.reusedSocket && isStaleSocketError(error)) {
        // The origin closed a pooled keep-alive socket just as it was reused;
        // nothing reached it, so an idempotent request without a body is sent again.
        send(false);
        return;
      }
      if (res.destroyed) return;
      const failure = classifyUpstreamFailure(error, authority);
      context.onUpstreamError(failure);
      if (res.headersSent) res.destroy();
      else sendAnswer(res, failure);
    });

    if (withBody) req.pipe(upstream);
    else upstream.end();
  };

  send(!withBody && IDEMPOTENT.has(req.method ?? ''));
  return () => {
    aborted = true;
    current?.destroy();
  };
}
