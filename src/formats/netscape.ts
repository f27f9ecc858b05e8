/**
 * The Netscape cookies.txt format, which curl (`-b`/`-c`), wget and many
 * other tools read. One cookie per line, seven tab-separated fields:
 *
 *   domain  include-subdomains  path  secure  expiry  name  value
 *   .example.com  TRUE  /  FALSE  1767225600  sid  abc
 *   #HttpOnly_www.example.com  FALSE  /app  TRUE  0  token  xyz
 *
 * - A domain cookie (no host-only flag) is written with a leading dot and
 *   include-subdomains TRUE; a host-only cookie with its bare host and FALSE.
 * - An HttpOnly cookie's line starts with `#HttpOnly_` (which older readers take
 *   for a comment and skip, the conservative failure).
 * - The expiry is in seconds since the epoch, rounded down so that no reader
 *   sends a cookie after it expired; 0 marks a session cookie.
 */
import type { SerializedCookie } from '../store/jar-store.ts';

/** The first line curl writes and looks for. */
export const NETSCAPE_HEADER = '# Netscape HTTP Cookie File';

/**
 * Writes `cookies` as a cookies.txt file (ending with a newline). A cookie
 * the format cannot carry (a tab, CR or LF in a field would split its line;
 * tough-cookie does not parse such cookies, but a store could hold one) is
 * left out rather than written as a line a reader would misread.
 */
export function toNetscape(cookies: readonly SerializedCookie[]): string {
  const lines = [NETSCAPE_HEADER, '# Written by jarsync. Each line: domain, include subdomains, path, secure, expiry, name, value.', ''];
  for (const cookie of cookies) {
    const line = netscapeLine(cookie);
    if (line !== null) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

function netscapeLine(cookie: SerializedCookie): string | null {
  if (cookie.domain === undefined) return null;
  const hostOnly = cookie.hostOnly ?? false;
  const domain = `${cookie.httpOnly === true ? '#HttpOnly_' : ''}${hostOnly ? '' : '.'}${cookie.domain}`;
  const fields = [
    domain,
    hostOnly ? 'FALSE' : 'TRUE',
    cookie.path ?? '/',
    cookie.secure === true ? 'TRUE' : 'FALSE',
    String(expirySeconds(cookie)),
    cookie.key,
    cookie.value,
  ];
  return fields.some((field) => /[\t\r\n]/.test(field)) ? null : fields.join('\t');
}

function expirySeconds(cookie: SerializedCookie): number {
  if (cookie.expires === undefined) return 0;
  const time = Date.parse(cookie.expires);
  // An unreadable date is kept as a session cookie rather than dropped.
  if (Number.isNaN(time)) return 0;
  // A date before 1970 becomes 1, long expired: 0 would turn it into a session cookie.
  return Math.max(Math.floor(time / 1000), 1);
}
