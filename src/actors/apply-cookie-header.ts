/**
 * The request side: a whole Cookie header, each pair the jar does not hold
 * added as a browser must have held it.
 *
 *   "a=1; b=2; a=3" ──pairs, by name──▶ what the jar sends to this URL, by name ──▶ per name: skip, or write
 *
 * Each `name=value` pair that the jar does not hold under that name for that
 * URL (that is, not among the cookies the jar would send to that URL) is
 * added as a host-only cookie for the request's host, with path `/` and no
 * other attributes, except that a `__Secure-` or `__Host-` name is added as
 * Secure (a browser holds such a cookie only with that attribute, so such a
 * pair in a plain-http request is refused as `secure-from-insecure`). A pair
 * never overwrites a cookie the jar holds from a Set-Cookie, nor strips its
 * attributes: when the jar holds a Set-Cookie cookie of that name for that
 * URL, or under the key the pair would take, the pair changes nothing. A
 * cookie the jar holds only because of an earlier request-side pair (it has no
 * attributes to lose) is updated by a later request-side value. When a header
 * repeats a name, the first value the jar does not already hold is the one
 * used, since browsers list the most specific cookie first. A pair from a
 * plain-http request that would overwrite or shadow a Secure cookie is
 * refused, as a Set-Cookie would be (browser-policy's checkSecureOverlay).
 *
 * Most headers repeat what the jar holds, or differ from the URL's last
 * header in one pair: only the pieces that differ from the last header the
 * jar is in step with are read and weighed (last-headers.ts). A pair weighed
 * costs a lookup by name in each place the URL's cookies are held.
 */
import { isSent, urlScope, type UrlScope } from '../store/cookie-query.ts';
import type { RequestTarget } from '../store/request-target.ts';
import { judgeSetCookie } from './browser-policy.ts';
import { NO_ATTRIBUTES, type CookieCandidate } from './cookie-candidate.ts';
import { pushCookiePair } from './cookie-pair.ts';
import type { CookieWriter, Received } from './cookie-writer.ts';
import type { Held, HeldCookies } from './held-cookies.ts';
import { samePiece, type LastHeaders } from './last-headers.ts';

const SECURE_PREFIX = /^__(secure|host)-/i;

export function applyCookieHeader(
  writer: CookieWriter,
  held: HeldCookies,
  lastHeaders: LastHeaders,
  target: RequestTarget,
  received: Received,
  now: number,
): void {
  const header = received.header;
  const last = lastHeaders.recall(target);
  // The same header again (what a browser sends until a cookie changes): nothing to read.
  if (last?.header === header) return;
  // The name of each piece of the header ('' for an empty one), and the pairs
  // to weigh: those of the pieces the last header did not have, in order.
  const pieceNames: string[] = [];
  const names: string[] = [];
  const values: string[] = [];
  // Whether the jar ends in step with this header: nothing refused, every write a change.
  let inStep = true;
  let lastStart = 0;
  for (let start = 0, piece = 0; start <= header.length; piece += 1) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    let lastEnd = -1;
    if (last !== undefined && lastStart <= last.header.length) {
      lastEnd = last.header.indexOf(';', lastStart);
      if (lastEnd === -1) lastEnd = last.header.length;
    }
    if (last !== undefined && lastEnd !== -1 && samePiece(header, start, end, last.header, lastStart, lastEnd)) {
      // The same pair as last time, still held as sent: weighing it again would change nothing.
      pieceNames.push(last.names[piece] ?? '');
    } else if (pushCookiePair(header, start, end, names, values)) {
      pieceNames.push(names[names.length - 1] ?? '');
    } else {
      pieceNames.push('');
      const text = header.slice(start, end).trim();
      if (text !== '') {
        // The piece is all value (no "="): it is described, never quoted.
        writer.refuse({ reason: 'parse', detail: `a piece of ${text.length} characters without "=" is not name=value` }, received);
        inStep = false;
      }
    }
    start = end + 1;
    // Past the last header's end, every further piece is new.
    if (lastEnd !== -1) lastStart = lastEnd + 1;
  }
  if (names.length > 0) inStep = weigh(writer, held, target, received, now, names, values) && inStep;
  // A header that names a cookie twice is weighed whole every time: which of
  // its values is held can change from one application to the next.
  if (inStep && allDistinct(pieceNames)) lastHeaders.remember(target, header, pieceNames);
  else lastHeaders.forget(target);
}

/** Weighs the pairs, in header order; true when nothing was refused and every write changed something. */
function weigh(
  writer: CookieWriter,
  held: HeldCookies,
  target: RequestTarget,
  received: Received,
  now: number,
  names: readonly string[],
  values: readonly string[],
): boolean {
  let inStep = true;
  const scope = urlScope(held.index, target);
  for (let first = 0; first < names.length; first += 1) {
    const name = names[first] ?? '';
    if (names.indexOf(name) !== first) continue; // a repeat: its values were weighed with the first
    const value = newValue(scope, target, now, name, names, values, first);
    if (value === undefined) continue;
    // The key the pair would take may belong to a Set-Cookie cookie this URL
    // does not see (a Secure one, from plain http): never overwrite it.
    if (held.get(target.host, '/', name)?.origin === 'set-cookie') continue;
    const candidate: CookieCandidate = { ...NO_ATTRIBUTES, key: name, value, path: '/', secure: SECURE_PREFIX.test(name) };
    const verdict = judgeSetCookie(candidate, target);
    const result = verdict.accept ? writer.write(candidate, verdict.domain, target, 'request', received) : writer.refuse(verdict, received);
    if (result.outcome !== 'changed') inStep = false;
  }
  return inStep;
}

function allDistinct(names: readonly string[]): boolean {
  for (let index = 1; index < names.length; index += 1) {
    const name = names[index];
    if (name === '' || name === undefined) continue;
    for (let before = 0; before < index; before += 1) if (names[before] === name) return false;
  }
  return true;
}

/**
 * The value of `name` to store, given where the cookies the jar sends to the
 * URL are held and the header's pairs (`name` first at `first`); undefined
 * when none.
 */
function newValue(
  scope: UrlScope<Held>,
  target: RequestTarget,
  now: number,
  name: string,
  names: readonly string[],
  values: readonly string[],
  first: number,
): string | undefined {
  const firstValue = values[first];
  let sentAny = false;
  let sentFromRequest = false;
  let sentFirstValue = false;
  for (let at = 0; at < scope.names.length; at += 1) {
    const cookie = scope.names[at]?.get(name);
    if (cookie === undefined || !isSent(cookie, scope.hostRules[at] ?? 'none', target, now)) continue;
    sentAny = true;
    // Values matter only for request-side cookies: a Set-Cookie one is never overwritten.
    if (cookie.origin !== 'request') continue;
    sentFromRequest = true;
    if (cookie.cookie.value === firstValue) sentFirstValue = true;
  }
  if (!sentAny) return firstValue;
  // Only Set-Cookie cookies of that name: the pair is one of them, whatever its value.
  if (!sentFromRequest) return undefined;
  if (!sentFirstValue) return firstValue;
  // The jar holds the first value; a later value of the same name may be new (rare).
  const sentValues = new Set<string>();
  for (let at = 0; at < scope.names.length; at += 1) {
    const cookie = scope.names[at]?.get(name);
    if (cookie !== undefined && isSent(cookie, scope.hostRules[at] ?? 'none', target, now)) sentValues.add(cookie.cookie.value);
  }
  for (let index = first + 1; index < names.length; index += 1) {
    const value = values[index];
    if (names[index] === name && value !== undefined && !sentValues.has(value)) return value;
  }
  return undefined;
}
