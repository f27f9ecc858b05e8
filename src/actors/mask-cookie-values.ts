/**
 * Cookie headers with their values masked, for what jarsync reports about a
 * header it did not store (refusals) and anything that may end up in a log:
 * a cookie's value is a secret (a session, a token), the name and the
 * attributes are what a person needs to see why a cookie was refused.
 *
 *   Set-Cookie  "sid=abc123; Path=/; Secure"  ──▶ "sid=***; Path=/; Secure"
 *   Cookie      "a=1; b=2; orphan"            ──▶ "a=***; b=***; ***"
 *
 * An empty value stays empty (there is nothing to hide, and "empty" may be why
 * a cookie was refused). A piece without "=" is all value (RFC 6265bis reads
 * it as a cookie with an empty name), so all of it is masked.
 */

/** What a masked value reads as. */
export const MASK = '***';

/** A Set-Cookie line with the value of its name=value pair masked; the attributes are kept as they were. */
export function maskSetCookieLine(line: string): string {
  const semicolon = line.indexOf(';');
  const pairEnd = semicolon === -1 ? line.length : semicolon;
  return maskPair(line.slice(0, pairEnd)) + line.slice(pairEnd);
}

/** A Cookie header with the value of every pair masked. */
export function maskCookieHeader(header: string): string {
  return header.split(';').map(maskPair).join(';');
}

function maskPair(pair: string): string {
  const equals = pair.indexOf('=');
  if (equals === -1) return pair.trim() === '' ? pair : pair.replace(/\S[\s\S]*\S|\S/, MASK);
  const value = pair.slice(equals + 1);
  return value.trim() === '' ? pair : `${pair.slice(0, equals + 1)}${MASK}`;
}
