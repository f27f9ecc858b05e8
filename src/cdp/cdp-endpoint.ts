/**
 * The `--cdp` option: where a browser's DevTools endpoint is, checked once at
 * start, and how often its cookies are read.
 */
import { JarsyncError } from '../errors.ts';

/** How often the browser's cookie store is read when nothing prompts it. */
export const DEFAULT_CDP_POLL_INTERVAL_MS = 1_000;

/** Checks a `--cdp` endpoint: an http: URL with a host (and no path beyond "/"). */
export function parseCdpEndpoint(text: string): string {
  const url = URL.parse(text);
  if (url?.protocol !== 'http:' || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `cdp: must be the browser's DevTools endpoint as http://host:port (got ${JSON.stringify(text)})`);
  }
  return `http://${url.host}`;
}
