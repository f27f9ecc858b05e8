/**
 * The admin API's routes for scripts that use the jar's cookies elsewhere:
 *
 *   GET /api/cookies/export?format=netscape|json|storage-state|header[&url=][&domain=]
 *         the cookies as a file to download (src/formats/export-format.ts); header needs url
 *   GET /api/cookies/wait?domain=D&name=N[&changedSince=T][&timeout=S]
 *         long poll: 200 with the cookie (tough-cookie JSON) once the jar holds one
 *         changed after T, at once if it does; 204 when `timeout` seconds pass first
 *
 * A long poll that times out answers 204 No Content, not 408: the request was
 * fine and nothing arrived, and 408 tells a client (and some HTTP libraries,
 * which then retry on their own) that *it* was too slow to send its request.
 */
import { JarsyncError } from '../errors.ts';
import { EXPORT_FORMATS, exportCookies, isExportFormat } from '../formats/export-format.ts';
import { filterOf, type AdminAnswer, type AdminRoute } from './admin-routes.ts';
import { DEFAULT_WAIT_TIMEOUT_MS } from './cookie-watch.ts';
import type { Supervisor } from './supervisor-api.ts';

/** The longest a long poll may wait: beyond it, a client should ask again (with the same changedSince). */
export const MAX_WAIT_SECONDS = 300;

export function cookieRoutes(supervisor: Supervisor): readonly AdminRoute[] {
  return [
    {
      path: '/api/cookies/export',
      methods: {
        GET: {
          query: ['format', 'url', 'domain'],
          handle: async ({ query }): Promise<AdminAnswer> => {
            const format = query.get('format') ?? '';
            if (!isExportFormat(format)) {
              throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `?format= must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(format)}).`);
            }
            if (format === 'header' && !query.has('url')) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'format=header needs ?url=: a Cookie header is sent to one URL.');
            const exported = exportCookies(format, await supervisor.cookies(filterOf(query)));
            return {
              kind: 'body',
              contentType: exported.contentType,
              body: exported.text,
              headers: { 'content-disposition': `attachment; filename="${exported.fileName}"` },
            };
          },
        },
      },
    },
    {
      path: '/api/cookies/wait',
      methods: {
        GET: {
          query: ['domain', 'name', 'changedSince', 'timeout'],
          handle: async ({ query, signal }): Promise<AdminAnswer> => {
            const domain = query.get('domain');
            const name = query.get('name');
            if (domain === undefined || name === undefined || name === '') {
              throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'GET /api/cookies/wait needs ?domain= and &name=: the cookie to wait for.');
            }
            const changedSince = query.get('changedSince');
            const timeout = query.get('timeout');
            const options = {
              domain,
              name,
              signal,
              timeoutMs: timeout === undefined ? DEFAULT_WAIT_TIMEOUT_MS : parseTimeout(timeout),
              ...(changedSince === undefined ? {} : { changedSince: parseTime(changedSince) }),
            };
            try {
              return { kind: 'json', body: await supervisor.waitForCookie(options) };
            } catch (error) {
              if (error instanceof JarsyncError && error.code === 'JARSYNC_ERR_WAIT_TIMEOUT') return { kind: 'empty' };
              // The client went away: there is no one to answer.
              if (signal.aborted && error === signal.reason && !(error instanceof JarsyncError)) return { kind: 'streaming' };
              if (error instanceof JarsyncError && error.code === 'JARSYNC_ERR_NOT_RUNNING') {
                // Closing is expected, not an internal error to log: answered as data, not thrown.
                return { kind: 'json', status: 503, body: { error: error.message, code: error.code } };
              }
              throw error;
            }
          },
        },
      },
    },
  ];
}

/** Seconds, decimals allowed, from 0 up to MAX_WAIT_SECONDS; in ms. */
function parseTimeout(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds <= MAX_WAIT_SECONDS)) {
    throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `?timeout= is in seconds, from 0 to ${MAX_WAIT_SECONDS} (got ${JSON.stringify(text)}).`);
  }
  return Math.round(seconds * 1000);
}

/** ms since the epoch (digits) or an ISO 8601 date and time. */
function parseTime(text: string): number {
  const time = /^\d{1,16}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) {
    throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `?changedSince= must be ms since the epoch or an ISO 8601 date and time such as 2026-01-31T12:00:00Z (got ${JSON.stringify(text)}).`);
  }
  return time;
}
