/**
 * The dashboard's routes on the admin server:
 *
 *   GET    /?token=T        T right: a session (admin-session.ts), 303 to / (the token leaves the address bar)
 *                           T wrong: 401 and a page saying so
 *   GET    /                with a session: the dashboard; without: 401 and a page saying how to open it
 *   GET    /assets/<name>   its scripts and style sheet (no token: they are the repository's files)
 *   DELETE /api/session     signs out: the session ends and its cookie is removed
 *
 * Pages are sent with a strict Content-Security-Policy: scripts, styles,
 * images and connections from the admin API's own origin only, no inline
 * script or style, no framing (clickjacking), no <base>, and no Referer, so
 * that the token in the first URL is never sent anywhere.
 */
import type { AdminAnswer, AdminRoute } from './admin-routes.ts';
import type { AdminSessions } from './admin-session.ts';
import { ASSET_NAME, type DashboardAssets } from './dashboard-assets.ts';

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface DashboardRoutesContext {
  readonly sessions: AdminSessions;
  readonly assets: () => DashboardAssets;
  /** Whether a text is the admin token (constant time). */
  readonly isToken: (text: string) => boolean;
}

export function dashboardRoutes({ sessions, assets, isToken }: DashboardRoutesContext): readonly AdminRoute[] {
  const page = (status: number, html: string, headers: Readonly<Record<string, string>> = {}): AdminAnswer => ({
    kind: 'body',
    status,
    contentType: 'text/html; charset=utf-8',
    body: html,
    headers: { ...PAGE_HEADERS, ...headers },
  });
  return [
    {
      path: '/',
      public: true,
      methods: {
        GET: {
          query: ['token'],
          handle: ({ req, query }) => {
            const token = query.get('token');
            if (token !== undefined) {
              if (!isToken(token)) {
                return page(401, assets().signedOut('That link carries a wrong token. Open the dashboard link that jarsync start printed, or read the token from the admin-token file in the data dir.'));
              }
              const { setCookie } = sessions.create();
              return page(303, '', { location: '/', 'set-cookie': setCookie });
            }
            const session = sessions.find(req.headers.cookie);
            if (session === undefined) {
              return page(401, assets().signedOut('You are not signed in, or your session has ended. Open the dashboard link that jarsync start printed (dashboard: http://127.0.0.1:…/?token=…).'));
            }
            return page(200, assets().page(session.csrfToken));
          },
        },
      },
    },
    {
      path: /^\/assets\/([^/]+)$/,
      public: true,
      methods: {
        GET: {
          handle: ({ params }) => {
            const name = params[0] ?? '';
            const asset = ASSET_NAME.test(name) ? assets().asset(name) : undefined;
            if (asset === undefined) return { kind: 'json', status: 404, body: { error: `No such asset: ${name}`, code: 'JARSYNC_ERR_NOT_FOUND' } };
            return { kind: 'body', contentType: asset.contentType, body: asset.body };
          },
        },
      },
    },
    {
      path: '/api/session',
      methods: {
        DELETE: {
          handle: ({ req }) => ({ kind: 'json', body: { signedOut: true }, headers: { 'set-cookie': sessions.end(req.headers.cookie) } }),
        },
      },
    },
  ];
}
