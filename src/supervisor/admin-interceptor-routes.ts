/**
 * The admin API's routes for the browser extension. They are answered
 * without the admin token: the extension holds a scoped token instead, which
 * these routes (and only these) take, and which can write interceptor
 * cookies and read the domain list, nothing else.
 *
 *   POST /api/interceptor/pair {"code", "browser"?}    201 { token, domains, syncing }   (no token; the pairing code)
 *   GET  /api/interceptor/domains                      { domains, syncing }
 *   POST /api/interceptor/heartbeat {"browser"?}       { domains, syncing }  (the extension is there)
 *   POST /api/interceptor/cookies {"changes", "full"?, "browser"?}   { received, ignored, applied, unchanged, refused }
 *   POST /api/interceptor/disconnect                   204 (Stop Syncing)
 *
 * An extension's requests carry `Origin: chrome-extension://<id>`, which the
 * admin API refuses everywhere else (a web page cannot send it): see
 * interceptorSourceCheck.
 */
import type { IncomingMessage } from 'node:http';
import { JarsyncError } from '../errors.ts';
import { optionalBrowser, parseCookiesBody } from '../interceptor/parse-browser-changes.ts';
import type { AdminAnswer, AdminRequest, AdminRoute } from './admin-routes.ts';
import type { Supervisor } from './supervisor-api.ts';

export const INTERCEPTOR_PATH_PREFIX = '/api/interceptor/';

/** What a Chromium extension's origin looks like: its id is 32 letters a to p. */
const EXTENSION_ORIGIN = /^chrome-extension:\/\/[a-p]{32}$/;

export interface InterceptorRoutesContext {
  readonly supervisor: Supervisor;
  /** Whether an Authorization header carries the admin token (which may do everything these routes do). */
  readonly isAdminToken: (authorization: string | undefined) => boolean;
}

export function interceptorRoutes({ supervisor, isAdminToken }: InterceptorRoutesContext): readonly AdminRoute[] {
  const authorized = (req: IncomingMessage): void => {
    const { authorization } = req.headers;
    if (!supervisor.interceptor().pairing.isToken(authorization) && !isAdminToken(authorization)) {
      throw new JarsyncError('JARSYNC_ERR_UNAUTHORIZED', 'Missing or wrong interceptor token: pair the extension again with the code `jarsync start` prints.');
    }
  };
  const domainList = (): AdminAnswer => ({
    kind: 'json',
    body: { domains: supervisor.domains().map((rule) => rule.spec), syncing: supervisor.syncing },
  });
  const scoped = (handle: (request: AdminRequest) => AdminAnswer | Promise<AdminAnswer>, body = false) => ({
    body,
    handle: (request: AdminRequest) => {
      authorized(request.req);
      return handle(request);
    },
  });
  return [
    {
      path: `${INTERCEPTOR_PATH_PREFIX}pair`,
      public: true,
      methods: {
        POST: {
          body: true,
          handle: async ({ body }) => {
            const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
            const { code } = fields;
            if (typeof code !== 'string') throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'The body must be {"code": "XXXX-XXXX"}.');
            const interceptor = supervisor.interceptor();
            const token = await interceptor.pairing.pair(code);
            interceptor.extension.seen(optionalBrowser(fields['browser']));
            return { kind: 'json', status: 201, body: { token, domains: supervisor.domains().map((rule) => rule.spec), syncing: supervisor.syncing } };
          },
        },
      },
    },
    { path: `${INTERCEPTOR_PATH_PREFIX}domains`, public: true, methods: { GET: scoped(domainList) } },
    {
      path: `${INTERCEPTOR_PATH_PREFIX}heartbeat`,
      public: true,
      methods: {
        POST: scoped(({ body }) => {
          const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
          supervisor.interceptor().extension.seen(optionalBrowser(fields['browser']));
          return domainList();
        }, true),
      },
    },
    {
      path: `${INTERCEPTOR_PATH_PREFIX}cookies`,
      public: true,
      methods: {
        POST: scoped(async ({ body }) => {
          const parsed = parseCookiesBody(body, Date.now());
          const interceptor = supervisor.interceptor();
          interceptor.extension.seen(parsed.browser);
          const result = await supervisor.applyBrowserCookies({ source: 'interceptor', client: 'interceptor', changes: parsed.changes });
          if (parsed.full) interceptor.extension.synced();
          return { kind: 'json', body: result };
        }, true),
      },
    },
    {
      path: `${INTERCEPTOR_PATH_PREFIX}disconnect`,
      public: true,
      methods: {
        POST: scoped(() => {
          supervisor.interceptor().extension.stopped();
          return { kind: 'empty' };
        }),
      },
    },
  ];
}

/**
 * The admin API's request-source check, widened for the interceptor routes:
 * there, a request from a browser extension (`Origin: chrome-extension://…`)
 * is let through to the scoped-token check. Host is still checked (DNS
 * rebinding), and every other route keeps the plain check.
 */
export function interceptorSourceCheck(check: (req: IncomingMessage) => string | null): (req: IncomingMessage) => string | null {
  return (req) => {
    const origin = req.headers.origin;
    // The path as the server will route it (dot segments resolved): `/api/interceptor/../status` is not an interceptor route.
    const path = URL.parse(req.url ?? '/', 'http://127.0.0.1')?.pathname ?? '';
    if (origin === undefined || !EXTENSION_ORIGIN.test(origin) || !path.startsWith(INTERCEPTOR_PATH_PREFIX)) return check(req);
    // Checked as the same request without its extension's Origin and Sec-Fetch-Site.
    const { origin: _origin, 'sec-fetch-site': _site, ...headers } = req.headers;
    const { origin: _distinctOrigin, 'sec-fetch-site': _distinctSite, ...headersDistinct } = req.headersDistinct;
    return check({ headers, headersDistinct } as unknown as IncomingMessage);
  };
}
