/**
 * A Set-Cookie line, parsed once, into a CookieCandidate:
 *
 *   "sid=abc; Path=/; Secure; HttpOnly"
 *    └─pair─┘ └──────── attributes ───────┘
 *   parseCookiePair     tough-cookie's Cookie.parse, remembered per attribute string
 *
 * The attributes of a host's cookie are the same line after line while the
 * value changes (a new session id, a new CSRF token), and tough-cookie's
 * parse of them (its date parser above all) was most of what an event cost.
 * So the attribute string is parsed by tough-cookie once and the result
 * remembered in a bounded memo; the pair is split here (cookie-pair.ts, held
 * to tough-cookie's rules by the tests). The candidate is what
 * `Cookie.parse(line)` gives, field for field, except for one browser rule
 * tough-cookie lacks:
 *
 * RFC 6265bis section 5.6, processing each cookie-av: "If the attribute-value
 * contains more than 1024 octets, ignore the cookie-av string and return to
 * Step 1 of this algorithm." The attribute is dropped as if it were not there
 * (an earlier valid Path stays, a too-long Domain leaves the cookie host-only);
 * the cookie itself is kept.
 */
import { Cookie } from 'tough-cookie';
import { NO_ATTRIBUTES, type CookieAttributes, type CookieCandidate } from './cookie-candidate.ts';
import { parseCookiePairAt } from './cookie-pair.ts';

/** RFC 6265bis section 5.6: the longest attribute value a user agent honours, in octets. */
export const MAX_ATTRIBUTE_VALUE_BYTES = 1024;

/** Distinct attribute strings remembered; past it the memo starts afresh. */
const MEMO_SIZE = 4096;
/** Longer attribute strings are parsed every time rather than held (a few MB at most in all). */
const MEMO_MAX_LENGTH = 512;
/**
 * No value in a string this short can exceed the byte limit (UTF-8 needs at
 * most 3 bytes per UTF-16 code unit), so such strings skip the measuring.
 */
const SHORT_ENOUGH = Math.floor(MAX_ATTRIBUTE_VALUE_BYTES / 3);

const memo = new Map<string, CookieAttributes>();

/** The candidate a Set-Cookie line describes, or undefined when its name=value pair is not a cookie. */
export function parseSetCookie(line: string): CookieCandidate | undefined {
  const semicolon = line.indexOf(';');
  const pair = parseCookiePairAt(line, 0, semicolon === -1 ? line.length : semicolon);
  if (pair === undefined) return undefined;
  const attributes = semicolon === -1 ? NO_ATTRIBUTES : attributesOf(line.slice(semicolon + 1));
  return { key: pair.name, value: pair.value, ...attributes };
}

/** The attributes of a line: everything after its first ";". */
function attributesOf(text: string): CookieAttributes {
  const known = memo.get(text);
  if (known !== undefined) return known;
  const attributes = parseAttributes(text);
  if (text.length <= MEMO_MAX_LENGTH) {
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(text, attributes);
  }
  return attributes;
}

function parseAttributes(text: string): CookieAttributes {
  const honoured = text.length <= SHORT_ENOUGH ? text : withoutOversizedValues(text);
  if (honoured.trim() === '') return NO_ATTRIBUTES;
  // tough-cookie parses attributes independently of the pair, so any valid pair will do.
  const parsed = Cookie.parse(`x=y;${honoured}`, { loose: false });
  if (parsed === undefined) return NO_ATTRIBUTES;
  return Object.freeze({
    domain: parsed.domain,
    path: parsed.path,
    expires: parsed.expires,
    maxAge: parsed.maxAge,
    secure: parsed.secure,
    httpOnly: parsed.httpOnly,
    sameSite: parsed.sameSite,
    extensions: parsed.extensions === null ? null : Object.freeze([...parsed.extensions]),
  });
}

/** The attribute string without the cookie-avs whose value is longer than the limit. */
function withoutOversizedValues(text: string): string {
  return text
    .split(';')
    .filter((attribute) => {
      const equals = attribute.indexOf('=');
      return equals === -1 || Buffer.byteLength(attribute.slice(equals + 1).trim()) <= MAX_ATTRIBUTE_VALUE_BYTES;
    })
    .join(';');
}
