/**
 * The admin API's HTTP server, on 127.0.0.1 only: it hands out every cookie of
 * the jar, so no other machine may reach it, every local process but the
 * token's owner is kept out by the bearer token, and web pages in the user's
 * browser by the Host and Origin checks.
 *
 *   request ──▶ Host, Origin, Sec-Fetch-Site ──▶ look up the path ──▶ bearer token or session ──▶ route? ──▶ method ──▶ CSRF ──▶ query ──▶ JSON body ──▶ handler
 *               (admin-request-source.ts)                             (all but the public routes)
 *                   │ 403                                                 │ 401                  │ 404      │ 405 + Allow │ 403  │ 400   │ 413 / 400   │ JarsyncError ─▶ its status
 *
 * Public routes (no token): /ca.pem, /ca.der, /ca.p12, /proxy.pac, the
 * dashboard page `/` (which checks its own session) and /assets/; the
 * browser extension's /api/interceptor/ routes check its scoped token
 * themselves (admin-interceptor-routes.ts). A request
 * let in by a dashboard session cookie rather than the bearer token must
 * also carry the session's CSRF token in X-Jarsync-CSRF to change anything
 * (POST, PUT, DELETE): see admin-session.ts and SECURITY.md.
 *
 * Where a request comes from is checked first, for every path: a page that
 * reached the API through DNS rebinding must not even learn which paths are
 * there. The token is checked before the route is known to exist, so that a
 * client without it learns nothing either.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { JarsyncError } from '../errors.ts';
import { createBearerCheck } from './admin-auth.ts';
import { readJsonBody } from './admin-body.ts';
import { cookieRoutes } from './admin-cookie-routes.ts';
import { dashboardRoutes } from './admin-dashboard-routes.ts';
import { deviceRoutes } from './admin-device-routes.ts';
import { interceptorRoutes, interceptorSourceCheck } from './admin-interceptor-routes.ts';
import { serveEventStream, type EventStream, type EventStreamOptions } from './admin-events.ts';
import { RecentEvents } from './admin-recent-events.ts';
import { createRequestSourceCheck } from './admin-request-source.ts';
import { errorAnswer, sendBody, sendError, sendFailure, sendJson, sendNoContent, sendText } from './admin-response.ts';
import { adminRoutes, MAX_RECENT_EVENTS, type AdminAnswer, type AdminHandler, type AdminMethod, type AdminRoute } from './admin-routes.ts';
import { AdminSessions, CSRF_HEADER } from './admin-session.ts';
import { loadDashboardAssets, type DashboardAssets } from './dashboard-assets.ts';
import type { Supervisor } from './supervisor-api.ts';

export const ADMIN_HOST = '127.0.0.1';

/** How long `close()` lets requests in flight finish before their connections are cut. */
export const ADMIN_CLOSE_TIMEOUT_MS = 5_000;

/**
 * Every API request is a few hundred bytes; a client that takes longer than
 * this to send one is stuck or hostile. (Event streams are long responses, not
 * long requests, and are not affected.)
 */
const REQUEST_TIMEOUT_MS = 30_000;

export interface AdminServerOptions {
  readonly supervisor: Supervisor;
  /** The bearer token every route but `GET /ca.pem` requires (see loadOrCreateAdminToken). */
  readonly token: string;
  /** The CA certificate served at `/ca.pem`, PEM. */
  readonly caCertPem: string;
  /** Always loopback. Defaults to 127.0.0.1. */
  readonly host?: typeof ADMIN_HOST;
  /** 0 picks a free port. */
  readonly port: number;
  /** Heartbeat and queue limits of event streams. Defaults to those of serveEventStream. */
  readonly events?: EventStreamOptions;
  /** Where the dashboard's files are. Defaults to src/dashboard/ (DASHBOARD_DIR). */
  readonly dashboardDir?: string;
}

export interface AdminServer {
  /** Starts listening; JARSYNC_ERR_PORT_IN_USE when the port is taken. Calling it again returns the same address. */
  listen(): Promise<{ readonly host: string; readonly port: number }>;
  /** Stops accepting, ends event streams, lets requests in flight finish (at most ADMIN_CLOSE_TIMEOUT_MS). */
  close(): Promise<void>;
}

const METHODS: readonly AdminMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

export function createAdminServer(options: AdminServerOptions): AdminServer {
  const { supervisor, token, caCertPem, port } = options;
  const host = options.host ?? ADMIN_HOST;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `adminPort: must be a port number from 0 to 65535 (got ${JSON.stringify(port)})`);
  }
  if (token === '') throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', 'admin token: must not be empty');

  const isAuthorized = createBearerCheck(token);
  // The port a client must name in Host and Origin: the one listened on (known once listen() resolves).
  let boundPort = port;
  const refusedSource = interceptorSourceCheck(createRequestSourceCheck(() => boundPort));
  const streams = new Set<EventStream>();
  /** One per request in flight, aborted when the server closes (long polls answer at once). */
  const inFlight = new Set<AbortController>();
  const sessions = new AdminSessions({ port: () => boundPort });
  const recent = new RecentEvents(supervisor, MAX_RECENT_EVENTS);
  let assets: DashboardAssets | null = null;
  const routes = [
    ...adminRoutes({
      supervisor,
      caCertPem,
      serveEvents: (req, res, count) => {
        const stream = serveEventStream(req, res, supervisor, options.events, recent.last(count));
        streams.add(stream);
        void stream.closed.then(() => streams.delete(stream));
      },
    }),
    ...cookieRoutes(supervisor),
    ...deviceRoutes({ supervisor, caCertPem, adminPort: () => boundPort }),
    ...interceptorRoutes({ supervisor, isAdminToken: isAuthorized }),
    ...dashboardRoutes({
      sessions,
      isToken: (text) => isAuthorized(`Bearer ${text}`),
      assets: () => {
        if (assets === null) throw new JarsyncError('JARSYNC_ERR_NOT_RUNNING', 'The dashboard is not loaded yet.');
        return assets;
      },
    }),
  ];

  const server = http.createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    dispatch(req, res).catch((error: unknown) => {
      report(error);
      sendFailure(res, error);
    });
  });

  function report(error: unknown): void {
    if (errorAnswer(error).status >= 500) {
      supervisor.options.log('error', `admin API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = refusedSource(req);
    if (refusal !== null) {
      sendError(res, 403, 'JARSYNC_ERR_FORBIDDEN', refusal);
      return;
    }
    const url = URL.parse(req.url ?? '/', `http://${ADMIN_HOST}`);
    if (url === null) {
      sendError(res, 400, 'JARSYNC_ERR_BAD_REQUEST', `Cannot parse the request target ${JSON.stringify(req.url)}.`);
      return;
    }
    const found = findRoute(routes, url.pathname);
    const bearer = isAuthorized(req.headers.authorization);
    // The bearer token wins: a browser never sends one by itself, so it needs no CSRF token.
    const session = bearer || found?.route.public === true ? null : (sessions.find(req.headers.cookie) ?? null);
    if (found?.route.public !== true && !bearer && session === null) {
      sendError(res, 401, 'JARSYNC_ERR_UNAUTHORIZED', 'Missing or wrong bearer token: send "Authorization: Bearer <token>" with the token from the admin-token file in the data dir.', {
        'www-authenticate': 'Bearer realm="jarsync"',
      });
      return;
    }
    if (found === undefined) {
      sendError(res, 404, 'JARSYNC_ERR_NOT_FOUND', `No such route: ${url.pathname}`);
      return;
    }
    const handler = handlerFor(found.route, req.method);
    if (handler === undefined) {
      const allow = allowedMethods(found.route).join(', ');
      sendError(res, 405, 'JARSYNC_ERR_BAD_REQUEST', `${String(req.method)} is not allowed on ${url.pathname}; use ${allow}.`, { allow });
      return;
    }
    if (session !== null && req.method !== 'GET' && req.method !== 'HEAD' && !sessions.csrfMatches(session, req.headers[CSRF_HEADER] as string | undefined)) {
      sendError(res, 403, 'JARSYNC_ERR_FORBIDDEN', `A request signed in with the dashboard's session must carry its CSRF token in ${CSRF_HEADER}.`);
      return;
    }
    const query = checkQuery(url.searchParams, handler.query ?? []);
    let body: unknown;
    if (handler.body === true) {
      const read = await readJsonBody(req);
      if (!read.ok) {
        sendError(res, read.status, 'JARSYNC_ERR_BAD_REQUEST', read.message, read.readToEnd ? {} : { connection: 'close' });
        return;
      }
      body = read.value;
    }
    const controller = new AbortController();
    const clientGone = (): void => {
      controller.abort(new Error('the client closed the connection'));
    };
    res.once('close', clientGone);
    inFlight.add(controller);
    try {
      const result = await handler.handle({ req, res, query, params: found.params, body, session, signal: controller.signal });
      // A long poll answered because the server is closing: its connection
      // must not wait as an idle keep-alive for close() to end it.
      if (closing !== undefined && !res.headersSent) res.setHeader('connection', 'close');
      answer(res, result);
    } finally {
      inFlight.delete(controller);
      res.off('close', clientGone);
    }
  }

  let listening: Promise<{ host: string; port: number }> | undefined;
  let closing: Promise<void> | undefined;

  function listenOn(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          error.code === 'EADDRINUSE'
            ? new JarsyncError('JARSYNC_ERR_PORT_IN_USE', `The admin port ${port} on ${host} is in use by another process; choose another admin port.`, { cause: error })
            : new JarsyncError('JARSYNC_ERR_BAD_OPTION', `adminPort: cannot listen on ${host}:${port}: ${error.message}`, { cause: error }),
        );
      };
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        const address = server.address();
        boundPort = typeof address === 'object' && address !== null ? address.port : port;
        resolve({ host, port: boundPort });
      });
    });
  }

  return {
    listen() {
      // The dashboard's files are read before the port opens: a page is never served half there.
      listening ??= loadDashboardAssets(options.dashboardDir).then((loaded) => {
        assets = loaded;
        return listenOn();
      });
      return listening;
    },

    close() {
      recent.close();
      for (const controller of inFlight) controller.abort(new JarsyncError('JARSYNC_ERR_NOT_RUNNING', 'The admin API is closing.'));
      closing ??= new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        const deadline = setTimeout(() => {
          server.closeAllConnections();
        }, ADMIN_CLOSE_TIMEOUT_MS);
        deadline.unref();
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        for (const stream of streams) stream.end();
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

interface FoundRoute {
  readonly route: AdminRoute;
  readonly params: readonly string[];
}

function findRoute(routes: readonly AdminRoute[], path: string): FoundRoute | undefined {
  for (const route of routes) {
    if (typeof route.path === 'string') {
      if (route.path === path) return { route, params: [] };
    } else {
      const match = route.path.exec(path);
      if (match !== null) return { route, params: match.slice(1) };
    }
  }
  return undefined;
}

/** HEAD is answered as GET without a body (Node leaves it out), except where GET opens a stream. */
function handlerFor(route: AdminRoute, method: string | undefined): AdminHandler | undefined {
  if (method === 'HEAD') return route.methods.GET?.streaming === true ? undefined : route.methods.GET;
  return isAdminMethod(method) ? route.methods[method] : undefined;
}

function isAdminMethod(method: string | undefined): method is AdminMethod {
  return (METHODS as readonly (string | undefined)[]).includes(method);
}

function allowedMethods(route: AdminRoute): string[] {
  const allowed: string[] = METHODS.filter((method) => route.methods[method] !== undefined);
  if (route.methods.GET !== undefined && route.methods.GET.streaming !== true) allowed.push('HEAD');
  return allowed;
}

function checkQuery(params: URLSearchParams, allowed: readonly string[]): ReadonlyMap<string, string> {
  const query = new Map<string, string>();
  for (const [name, value] of params) {
    if (!allowed.includes(name)) {
      const takes = allowed.length === 0 ? 'takes no query parameters' : `takes ${allowed.map((known) => `?${known}=`).join(' and ')}`;
      throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `Unknown query parameter "${name}": this route ${takes}.`);
    }
    if (query.has(name)) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `The query parameter "${name}" is given more than once.`);
    query.set(name, value);
  }
  return query;
}

function answer(res: ServerResponse, result: AdminAnswer): void {
  switch (result.kind) {
    case 'json':
      sendJson(res, result.status ?? 200, result.body, result.headers);
      return;
    case 'text':
      sendText(res, 200, result.contentType, result.text);
      return;
    case 'body':
      sendBody(res, result.status ?? 200, result.contentType, result.body, result.headers);
      return;
    case 'empty':
      sendNoContent(res);
      return;
    case 'streaming':
      return;
  }
}
