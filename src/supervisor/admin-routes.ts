/**
 * The admin API's routes: what each one asks of the supervisor and how it
 * answers. Authentication, route matching, bodies and errors are the
 * server's (admin-server.ts); a handler sees a checked request and returns an
 * answer, or throws a JarsyncError whose code becomes the status.
 *
 *   GET    /ca.pem                      the CA certificate (no token needed)
 *   GET    /api/status                  supervisor.status()
 *   GET    /api/domains                 { domains: [spec…] }
 *   POST   /api/domains {"domain"}      201 { domain, added: true } | 200 { domain, added: false }
 *   DELETE /api/domains/<encoded>       204 | 404
 *   POST   /api/sync/start|stop         { syncing }
 *   GET    /api/proxy                   ProxyState
 *   PUT    /api/proxy {"enabled"?, "port"?}   ProxyState (409 when the port changes while enabled)
 *   GET    /api/cookies[?url=][&domain=]      [tough-cookie JSON…]
 *   GET    /api/cookies/header?url=     { header }
 *   GET    /api/cookies.txt[?url=][&domain=]  Netscape cookies.txt
 *   POST   /api/cookies {"setCookie", "url"}     201 { change } | 200 { change: null } (400 COOKIE_REFUSED)
 *   DELETE /api/cookies[?domain=]       { deleted }
 *   DELETE /api/cookie?domain=&path=&name=       { deleted: 1 } | 404
 *   GET    /api/events[?recent=N]       text/event-stream (admin-events.ts), the last N changes first
 *
 * The dashboard's routes are in admin-dashboard-routes.ts, exports and the
 * long poll in admin-cookie-routes.ts, device onboarding in admin-device-routes.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JarsyncError } from '../errors.ts';
import { toNetscape } from '../formats/netscape.ts';
import type { CookieFilter } from '../store/read-jar.ts';
import type { Session } from './admin-session.ts';
import type { Supervisor } from './supervisor-api.ts';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A request that passed the server's checks. */
export interface AdminRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The query parameters, each at most once and each one the handler declared. */
  readonly query: ReadonlyMap<string, string>;
  /** The route pattern's captures, still percent-encoded. */
  readonly params: readonly string[];
  /** The parsed JSON body, for handlers that declare `body: true`; undefined otherwise. */
  readonly body: unknown;
  /** The dashboard session the request came with, when that (not the bearer token) let it in; null otherwise. */
  readonly session: Session | null;
  /** Aborted when the client goes away or the admin server closes (with a JARSYNC_ERR_NOT_RUNNING reason). */
  readonly signal: AbortSignal;
}

export type AdminAnswer =
  | { readonly kind: 'json'; readonly status?: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'text'; readonly contentType: string; readonly text: string }
  /** Any body, with its own status and headers (a page, a file to download, a redirect). */
  | {
      readonly kind: 'body';
      readonly status?: number;
      readonly contentType: string;
      readonly body: string | Uint8Array;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'empty' }
  /** The handler has answered on `res` itself (an event stream). */
  | { readonly kind: 'streaming' };

export interface AdminHandler {
  /** Whether the request carries a JSON body to read first. Defaults to false. */
  readonly body?: boolean;
  /** The query parameters it takes; any other is a 400. Defaults to none. */
  readonly query?: readonly string[];
  /** Whether it answers with a stream, which a HEAD request must not open. Defaults to false. */
  readonly streaming?: boolean;
  handle(request: AdminRequest): AdminAnswer | Promise<AdminAnswer>;
}

export interface AdminRoute {
  /** Matched against the whole path, still percent-encoded, so that `%2F` in a domain is not a separator. */
  readonly path: string | RegExp;
  /** Answered without the bearer token. Defaults to false. */
  readonly public?: boolean;
  readonly methods: Readonly<Partial<Record<AdminMethod, AdminHandler>>>;
}

export interface AdminRoutesContext {
  readonly supervisor: Supervisor;
  readonly caCertPem: string;
  /** Opens an event stream on `res`, the last `recent` changes first (the server tracks it, to end it when closing). */
  readonly serveEvents: (req: IncomingMessage, res: ServerResponse, recent: number) => void;
}

/** How many recent changes and refusals `GET /api/events?recent=N` can replay (admin-server.ts keeps them). */
export const MAX_RECENT_EVENTS = 500;

export function adminRoutes({ supervisor, caCertPem, serveEvents }: AdminRoutesContext): readonly AdminRoute[] {
  return [
    {
      path: '/ca.pem',
      public: true,
      methods: {
        GET: { handle: () => ({ kind: 'text', contentType: 'application/x-pem-file', text: caCertPem }) },
      },
    },
    {
      path: '/api/status',
      methods: {
        GET: { handle: async () => json(await supervisor.status()) },
      },
    },
    {
      path: '/api/domains',
      methods: {
        GET: { handle: () => json({ domains: supervisor.domains().map((rule) => rule.spec) }) },
        POST: {
          body: true,
          handle: ({ body }) => {
            const { domain } = fields(body, { domain: 'string' });
            const { rule, added } = supervisor.addDomain(domain);
            return {
              kind: 'json',
              status: added ? 201 : 200,
              body: { domain: rule.spec, added },
              headers: { location: `/api/domains/${encodeURIComponent(rule.spec)}` },
            };
          },
        },
      },
    },
    {
      path: /^\/api\/domains\/([^/]+)$/,
      methods: {
        DELETE: {
          handle: ({ params }) => {
            const domain = decode(params[0] ?? '');
            if (!supervisor.removeDomain(domain)) throw new JarsyncError('JARSYNC_ERR_NOT_FOUND', `${JSON.stringify(domain)} is not on the domain list.`);
            return { kind: 'empty' };
          },
        },
      },
    },
    {
      path: '/api/sync/start',
      methods: {
        POST: {
          handle: () => {
            supervisor.startSyncing();
            return json({ syncing: supervisor.syncing });
          },
        },
      },
    },
    {
      path: '/api/sync/stop',
      methods: {
        POST: {
          handle: () => {
            supervisor.stopSyncing();
            return json({ syncing: supervisor.syncing });
          },
        },
      },
    },
    {
      path: '/api/proxy',
      methods: {
        GET: { handle: () => json(supervisor.proxyState()) },
        PUT: {
          body: true,
          handle: async ({ body }) => {
            const { enabled, port } = fields(body, { enabled: 'boolean?', port: 'port?' });
            const change = { ...(enabled === undefined ? {} : { enabled }), ...(port === undefined ? {} : { port }) };
            return json(await supervisor.setProxy(change));
          },
        },
      },
    },
    {
      path: '/api/cookies',
      methods: {
        GET: { query: ['url', 'domain'], handle: async ({ query }) => json(await supervisor.cookies(filterOf(query))) },
        POST: {
          body: true,
          handle: async ({ body }) => {
            const { setCookie, url } = fields(body, { setCookie: 'string', url: 'string' });
            const change = await supervisor.setCookie(setCookie, url);
            return { kind: 'json', status: change === null ? 200 : 201, body: { change } };
          },
        },
        DELETE: {
          // Only ?domain=: a ?url= here would be ignored, and a request that
          // meant to delete a few cookies would empty the jar.
          query: ['domain'],
          handle: async ({ query }) => {
            const domain = query.get('domain');
            return json({ deleted: await supervisor.deleteCookies(domain === undefined ? {} : { domain }) });
          },
        },
      },
    },
    {
      path: '/api/cookie',
      methods: {
        DELETE: {
          query: ['domain', 'path', 'name'],
          handle: async ({ query }) => {
            const [domain, path, name] = (['domain', 'path', 'name'] as const).map((key) => {
              const value = query.get(key);
              if (value === undefined) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'DELETE /api/cookie needs ?domain=, &path= and &name=: the one cookie to delete.');
              return value;
            }) as [string, string, string];
            if (!(await supervisor.deleteCookie({ domain, path, name }))) {
              throw new JarsyncError('JARSYNC_ERR_NOT_FOUND', `The jar holds no cookie ${JSON.stringify(name)} of ${domain} with path ${path}.`);
            }
            return json({ deleted: 1 });
          },
        },
      },
    },
    {
      path: '/api/cookies/header',
      methods: {
        GET: {
          query: ['url'],
          handle: async ({ query }) => {
            const url = query.get('url');
            if (url === undefined) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'GET /api/cookies/header needs ?url=<absolute http(s) URL>.');
            return json({ header: await supervisor.cookieHeader(url) });
          },
        },
      },
    },
    {
      path: '/api/cookies.txt',
      methods: {
        GET: {
          query: ['url', 'domain'],
          handle: async ({ query }) => ({
            kind: 'text',
            contentType: 'text/plain; charset=utf-8',
            text: toNetscape(await supervisor.cookies(filterOf(query))),
          }),
        },
      },
    },
    {
      path: '/api/events',
      methods: {
        GET: {
          streaming: true,
          query: ['recent'],
          handle: ({ req, res, query }) => {
            const recent = query.get('recent') ?? '0';
            if (!/^\d{1,3}$/.test(recent) || Number(recent) > MAX_RECENT_EVENTS) {
              throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `?recent= must be a whole number from 0 to ${MAX_RECENT_EVENTS} (got ${JSON.stringify(recent)}).`);
            }
            serveEvents(req, res, Number(recent));
            return { kind: 'streaming' };
          },
        },
      },
    },
  ];
}

export function json(body: unknown): AdminAnswer {
  return { kind: 'json', body };
}

export function filterOf(query: ReadonlyMap<string, string>): CookieFilter {
  const url = query.get('url');
  const domain = query.get('domain');
  return { ...(url === undefined ? {} : { url }), ...(domain === undefined ? {} : { domain }) };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `The path segment ${JSON.stringify(text)} is not valid percent-encoding.`);
  }
}

type FieldType = 'string' | 'boolean?' | 'port?';
type FieldValue<T extends FieldType> = T extends 'string' ? string : T extends 'boolean?' ? boolean | undefined : number | undefined;

/**
 * Checks that a body is a JSON object with these fields of these types and no
 * others: a misspelt field is an error, not a silent no-op.
 */
export function fields<const S extends Readonly<Record<string, FieldType>>>(body: unknown, shape: S): { [K in keyof S]: FieldValue<S[K]> } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `The body must be a JSON object with ${describeShape(shape)}.`);
  }
  const record = body as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!Object.hasOwn(shape, name)) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `Unknown field "${name}": the body takes ${describeShape(shape)}.`);
  }
  const result: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(shape)) {
    const value = record[name];
    if (!fits(value, type)) {
      throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `Field "${name}" must be ${TYPE_NAMES[type]} (got ${value === undefined ? 'nothing' : JSON.stringify(value)}).`);
    }
    result[name] = value;
  }
  return result as { [K in keyof S]: FieldValue<S[K]> };
}

const TYPE_NAMES: Readonly<Record<FieldType, string>> = {
  string: 'a string',
  'boolean?': 'true or false, or left out',
  'port?': 'a port number from 0 to 65535, or left out',
};

function fits(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean?':
      return value === undefined || typeof value === 'boolean';
    case 'port?':
      return value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65_535);
  }
}

function describeShape(shape: Readonly<Record<string, FieldType>>): string {
  return Object.entries(shape)
    .map(([name, type]) => `"${name}" (${TYPE_NAMES[type]})`)
    .join(' and ');
}
