import type { CookieEvent } from '../cookie-event.ts';
import type { Target } from './target.ts';
import { urlOf } from './target.ts';

/** Receives the cookie headers of synced traffic; the worker batches them to the supervisor. */
export type CookieSink = (event: CookieEvent) => void;

/** A request's Cookie header (Node joins repeated ones with "; ") as one event. */
export function captureRequestCookies(sink: CookieSink, target: Target, cookie: string | undefined, client: string): void {
  if (cookie === undefined || cookie === '') return;
  sink({
    source: 'request',
    scheme: target.scheme,
    host: target.host,
    port: target.port,
    url: urlOf(target),
    header: cookie,
    client,
    at: Date.now(),
  });
}

/** Every Set-Cookie line of a response, one event each, in the order the server sent them. */
export function captureResponseCookies(
  sink: CookieSink,
  target: Target,
  setCookie: readonly string[] | undefined,
  client: string,
): void {
  if (setCookie === undefined || setCookie.length === 0) return;
  const url = urlOf(target);
  const at = Date.now();
  for (const header of setCookie) {
    sink({ source: 'response', scheme: target.scheme, host: target.host, port: target.port, url, header, client, at });
  }
}
