/**
 * Who may drive the admin API, by where the request says it comes from: a
 * check made before the bearer token, so that a web page open in the user's
 * browser cannot use the browser as a way in.
 *
 *   request ──▶ Host is 127.0.0.1:<port>, localhost:<port> or [::1]:<port>?  ── no ─▶ 403 (DNS rebinding)
 *           ──▶ Origin absent, or http:// one of those?                       ── no ─▶ 403 (cross-origin page)
 *           ──▶ Sec-Fetch-Site absent, same-origin or none?                   ── no ─▶ 403 (cross-site page)
 *           ──▶ bearer token (admin-auth.ts)
 *
 * DNS rebinding: a page on evil.example re-points its name at 127.0.0.1; the
 * browser then treats the admin API as evil.example's own origin and lets the
 * page read its answers. The browser still sends `Host: evil.example:<port>`,
 * which is what gives it away (the server listens on 127.0.0.1 only, so every
 * legitimate client names a loopback host). CSRF: a page elsewhere sends a
 * request the browser is willing to make without asking the server (a form
 * post, an image); browsers mark those with `Origin` and `Sec-Fetch-Site`.
 * Clients that are not browsers (curl, scripts, Node's fetch) send neither.
 *
 * `Sec-Fetch-Site: same-site` is refused too: ports do not count in a site,
 * so any page served from another port of 127.0.0.1 is "same-site".
 */
import type { IncomingMessage } from 'node:http';

/** The loopback names a client may use in Host and Origin, as they appear there (IPv6 in brackets). */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * `Sec-Fetch-Site` values that are not a page elsewhere: `same-origin` (a
 * page served by the admin API itself) and `none` (the user typed the URL or
 * opened a bookmark). Fetch Metadata, section 2.1.
 */
const ALLOWED_FETCH_SITES: ReadonlySet<string> = new Set(['same-origin', 'none']);

/** Header values are quoted in refusals; a long one is cut so the message stays readable. */
const MAX_QUOTED_LENGTH = 100;

/**
 * Returns the check for an admin API on `port()` (read at each request: the
 * port is known once the server listens). The check answers null for a
 * request that may go on, or a message saying why it may not.
 */
export function createRequestSourceCheck(port: () => number): (req: IncomingMessage) => string | null {
  let checkedPort = -1;
  let hosts: ReadonlySet<string> = new Set();
  let origins: ReadonlySet<string> = new Set();
  let expected = '';
  return (req) => {
    const current = port();
    if (current !== checkedPort) {
      checkedPort = current;
      hosts = new Set(LOOPBACK_NAMES.flatMap((name) => authorities(name, current)));
      origins = new Set([...hosts].map((authority) => `http://${authority}`));
      expected = LOOPBACK_NAMES.map((name) => `${name}:${current}`).join(', ');
    }

    const hostValues = req.headersDistinct['host'] ?? [];
    const host = hostValues[0];
    if (hostValues.length !== 1 || host === undefined) {
      return `The admin API needs exactly one Host header, one of ${expected}.`;
    }
    if (!hosts.has(host.toLowerCase())) {
      return `The admin API answers only to Host ${expected}; this request names ${quote(host)} (as a web page using DNS rebinding would).`;
    }

    const originValues = req.headersDistinct['origin'] ?? [];
    if (originValues.length > 1) return 'The request carries more than one Origin header.';
    const origin = originValues[0];
    if (origin !== undefined && !origins.has(origin.toLowerCase())) {
      return `The admin API does not answer requests made by web pages of another origin; this one comes from ${quote(origin)}.`;
    }

    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && !ALLOWED_FETCH_SITES.has(site.toLowerCase())) {
      return `The admin API does not answer requests made by web pages of another site (Sec-Fetch-Site: ${quote(site)}).`;
    }
    return null;
  };
}

/** How a client may write a loopback name with the port: always with it, and without it only for HTTP's default port 80. */
function authorities(name: string, port: number): string[] {
  return port === 80 ? [`${name}:80`, name] : [`${name}:${port}`];
}

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text);
}
