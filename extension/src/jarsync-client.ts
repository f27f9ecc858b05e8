/** jarsync's interceptor routes, as the extension calls them. */
import type { WireChange } from './change-queue.js';

export class JarsyncUnreachable extends Error {}
export class JarsyncRefused extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface DomainList {
  readonly domains: string[];
  readonly syncing: boolean;
}

async function call(adminUrl: string, path: string, token: string | null, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, adminUrl), {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new JarsyncUnreachable(`jarsync is not reachable at ${adminUrl}`);
  }
  const text = await response.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!response.ok) {
    const error = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['error'] : undefined;
    throw new JarsyncRefused(response.status, typeof error === 'string' ? error : `jarsync answered ${response.status}`);
  }
  return parsed;
}

export async function pair(adminUrl: string, code: string): Promise<{ token: string } & DomainList> {
  return (await call(adminUrl, '/api/interceptor/pair', null, { code, browser: navigator.userAgent })) as { token: string } & DomainList;
}

export async function heartbeat(adminUrl: string, token: string): Promise<DomainList> {
  return (await call(adminUrl, '/api/interceptor/heartbeat', token, { browser: navigator.userAgent })) as DomainList;
}

export async function sendChanges(adminUrl: string, token: string, changes: readonly WireChange[], full: boolean): Promise<void> {
  await call(adminUrl, '/api/interceptor/cookies', token, { changes, ...(full ? { full: true } : {}) });
}

export async function disconnect(adminUrl: string, token: string): Promise<void> {
  await call(adminUrl, '/api/interceptor/disconnect', token, {});
}
