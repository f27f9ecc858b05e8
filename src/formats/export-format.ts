/**
 * The formats the jar is exported in, one table for the CLI
 * (`jarsync cookies --format …`) and the admin API
 * (`GET /api/cookies/export?format=…`), so that both write the same bytes:
 *
 *   format          what                                     file name            content type
 *   netscape        cookies.txt, for curl -b and wget        cookies.txt          text/plain
 *   json            tough-cookie's JSON, one object a cookie  cookies.json         application/json
 *   storage-state   Playwright's storageState                 storage-state.json   application/json
 *   header          the Cookie header for one URL             cookie-header.txt    text/plain
 */
import type { SerializedCookie } from '../store/jar-store.ts';
import { toCookieHeader } from './cookie-header.ts';
import { toNetscape } from './netscape.ts';
import { toStorageState } from './storage-state.ts';

export const EXPORT_FORMATS = ['netscape', 'json', 'storage-state', 'header'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportedCookies {
  readonly text: string;
  readonly contentType: string;
  /** What a download of it is called. */
  readonly fileName: string;
}

export function isExportFormat(text: string): text is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(text);
}

/**
 * Writes `cookies` in `format`, ending with a newline. For `header`, the
 * cookies must be the ones selected for one URL, in Cookie-header order
 * (CookieFilter.url); every caller checks that a URL was given.
 */
export function exportCookies(format: ExportFormat, cookies: readonly SerializedCookie[]): ExportedCookies {
  switch (format) {
    case 'netscape':
      return { text: toNetscape(cookies), contentType: 'text/plain; charset=utf-8', fileName: 'cookies.txt' };
    case 'json':
      return { text: `${JSON.stringify(cookies, null, 2)}\n`, contentType: 'application/json; charset=utf-8', fileName: 'cookies.json' };
    case 'storage-state':
      return { text: `${JSON.stringify(toStorageState(cookies), null, 2)}\n`, contentType: 'application/json; charset=utf-8', fileName: 'storage-state.json' };
    case 'header':
      return { text: `${toCookieHeader(cookies)}\n`, contentType: 'text/plain; charset=utf-8', fileName: 'cookie-header.txt' };
  }
}
