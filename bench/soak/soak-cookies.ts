/**
 * The soak's cookies: which cookies each client owns, and the Set-Cookie line
 * that sets, changes or deletes one. Shared by the clients (who choose what
 * happens) and the origin (which sends it and keeps the ledger).
 *
 * Each client owns its own cookies (the name carries the client's number), and
 * a client sends one request at a time: the responses touching one cookie
 * reach the proxy strictly one after the other, so "what the origin sent last"
 * for a cookie is well defined, and the jar must hold exactly that.
 */

/** Hosts the clients spread over: `h0.<suffix>` … */
export const SOAK_HOSTS = 8;
/** Cookies each client owns. */
export const KEYS_PER_CLIENT = 8;
const PATHS = ['/', '/a', '/a/b'] as const;

export type SoakScheme = 'http' | 'https';

export interface CookieKey {
  readonly name: string;
  /** The Domain attribute's value, or null for a host-only cookie. */
  readonly domainAttribute: string | null;
  readonly path: string;
  /** The (domain, path, name) the jar holds it under. */
  readonly id: string;
}

export function clientHost(client: number, suffix: string): string {
  return `h${client % SOAK_HOSTS}.${suffix}`;
}

export function clientScheme(client: number, httpsShare: number): SoakScheme {
  // Spread evenly: client k is https when the share's running total passes a whole number.
  return Math.floor((client + 1) * httpsShare) > Math.floor(client * httpsShare) ? 'https' : 'http';
}

export function cookieKey(client: number, key: number, suffix: string): CookieKey {
  const name = `k${client}_${key}`;
  const domainAttribute = key % 2 === 0 ? suffix : null;
  const path = PATHS[key % PATHS.length] ?? '/';
  const domain = domainAttribute ?? clientHost(client, suffix);
  return { name, domainAttribute, path, id: keyId(domain, path, name) };
}

export function keyId(domain: string, path: string, name: string): string {
  return `${domain}|${path}|${name}`;
}

/** A new value is set (or changed to); null deletes. */
export function setCookieLine(key: CookieKey, value: string | null, scheme: SoakScheme): string {
  const attributes = [`Path=${key.path}`];
  if (key.domainAttribute !== null) attributes.push(`Domain=${key.domainAttribute}`);
  if (value === null) attributes.push('Max-Age=0');
  else attributes.push('Max-Age=86400', 'HttpOnly', 'SameSite=Lax');
  if (scheme === 'https') attributes.push('Secure');
  return `${key.name}=${value ?? ''}; ${attributes.join('; ')}`;
}

/** One operation of a request: cookie `key` of the client set to `value`, or deleted (null). */
export interface CookieOp {
  readonly key: number;
  readonly value: string | null;
}

/** The query a client sends; the origin reads it back with `parseOps`. */
export function opsQuery(client: number, ops: readonly CookieOp[]): string {
  return `c=${client}&ops=${ops.map((op) => `${op.key}.${op.value ?? '-'}`).join(',')}`;
}

export function parseOps(query: URLSearchParams): { client: number; ops: CookieOp[] } | null {
  const client = Number(query.get('c'));
  const text = query.get('ops');
  if (!Number.isInteger(client) || client < 0 || text === null) return null;
  const ops: CookieOp[] = [];
  for (const part of text.split(',')) {
    const dot = part.indexOf('.');
    const key = Number(part.slice(0, dot));
    const value = part.slice(dot + 1);
    if (dot < 1 || !Number.isInteger(key) || key < 0 || key >= KEYS_PER_CLIENT || !/^(-|[A-Za-z0-9_]+)$/.test(value)) return null;
    ops.push({ key, value: value === '-' ? null : value });
  }
  return { client, ops };
}
