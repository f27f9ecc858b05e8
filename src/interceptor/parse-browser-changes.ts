/**
 * The body of `POST /api/interceptor/cookies`, checked field by field: it
 * comes from a browser extension, over HTTP, and only what is well-formed
 * reaches the jar.
 *
 *   { "changes": [ { "kind": "set", "cookie": { chrome.cookies.Cookie }, "at": 1767225600000 },
 *                  { "kind": "remove", "cookie": { "domain", "path", "name" }, "at": … } ],
 *     "full": true?, "browser": "Mozilla/5.0 …"? }
 */
import type { BrowserCookie, BrowserCookieChange } from '../browser-cookie.ts';
import { JarsyncError } from '../errors.ts';

/** Changes in one request; the extension sends more in several. */
export const MAX_CHANGES_PER_REQUEST = 1_000;

const SAME_SITE = new Set(['no_restriction', 'lax', 'strict', 'unspecified']);

export interface ParsedCookiesBody {
  readonly changes: BrowserCookieChange[];
  /** True for a full sync (every cookie of the synced domains). */
  readonly full: boolean;
  readonly browser: string | undefined;
}

export function parseCookiesBody(body: unknown, now: number): ParsedCookiesBody {
  const fields = record(body, 'the body');
  for (const name of Object.keys(fields)) {
    if (!['changes', 'full', 'browser'].includes(name)) throw bad(`Unknown field "${name}": the body takes changes, full and browser.`);
  }
  const { changes, full, browser } = fields;
  if (!Array.isArray(changes)) throw bad('"changes" must be an array.');
  if (changes.length > MAX_CHANGES_PER_REQUEST) throw bad(`At most ${MAX_CHANGES_PER_REQUEST} changes per request (got ${changes.length}).`);
  if (full !== undefined && typeof full !== 'boolean') throw bad('"full" must be true or false.');
  return {
    changes: changes.map((change: unknown, index) => parseChange(change, index, now)),
    full: full === true,
    browser: optionalBrowser(browser),
  };
}

/** The `browser` field of a heartbeat or a batch: a User-Agent, kept short. */
export function optionalBrowser(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad('"browser" must be a string.');
  return value.slice(0, 200);
}

function parseChange(value: unknown, index: number, now: number): BrowserCookieChange {
  const where = `changes[${index}]`;
  const fields = record(value, where);
  const at = fields['at'] === undefined ? now : fields['at'];
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw bad(`${where}.at must be a time in ms since the epoch.`);
  const cookie = record(fields['cookie'], `${where}.cookie`);
  const key = { domain: text(cookie, 'domain', where), path: text(cookie, 'path', where), name: text(cookie, 'name', where) };
  if (fields['kind'] === 'remove') return { kind: 'remove', cookie: key, at };
  if (fields['kind'] !== 'set') throw bad(`${where}.kind must be "set" or "remove".`);
  const expirationDate = cookie['expirationDate'];
  if (expirationDate !== undefined && (typeof expirationDate !== 'number' || !Number.isFinite(expirationDate))) {
    throw bad(`${where}.cookie.expirationDate must be seconds since the epoch.`);
  }
  const sameSite = cookie['sameSite'];
  if (sameSite !== undefined && (typeof sameSite !== 'string' || !SAME_SITE.has(sameSite))) {
    throw bad(`${where}.cookie.sameSite must be no_restriction, lax, strict or unspecified.`);
  }
  const parsed: BrowserCookie = {
    ...key,
    value: text(cookie, 'value', where),
    hostOnly: flag(cookie, 'hostOnly', where),
    httpOnly: flag(cookie, 'httpOnly', where),
    secure: flag(cookie, 'secure', where),
    session: flag(cookie, 'session', where) || expirationDate === undefined,
    ...(sameSite === undefined ? {} : { sameSite: sameSite as NonNullable<BrowserCookie['sameSite']> }),
  };
  return { kind: 'set', cookie: typeof expirationDate === 'number' && !parsed.session ? { ...parsed, expirationDate } : parsed, at };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`${where} must be an object.`);
  return value as Record<string, unknown>;
}

function text(fields: Record<string, unknown>, name: string, where: string): string {
  const value = fields[name];
  if (typeof value !== 'string') throw bad(`${where}.cookie.${name} must be a string.`);
  return value;
}

function flag(fields: Record<string, unknown>, name: string, where: string): boolean {
  const value = fields[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw bad(`${where}.cookie.${name} must be true or false.`);
  return value;
}

function bad(message: string): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_BAD_REQUEST', message);
}
