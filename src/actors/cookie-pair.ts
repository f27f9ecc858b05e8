/**
 * One `name=value` pair: the start of a Set-Cookie line, or one pair of a
 * Cookie header. The rules are tough-cookie's (`Cookie.parse` in strict mode,
 * which the tests hold this to), without making a Cookie for a pair that will
 * change nothing:
 *
 * - whitespace around the pair, the name and the value is dropped (what
 *   `String.prototype.trim` drops);
 * - the pair ends at the first CR, LF or NUL (RFC 6265bis section 5.6, step 1);
 * - a pair without "=", or with nothing before it, is not a cookie;
 * - a name or value holding a control character (%x00-1F) is not a cookie.
 *
 * A pair is read where it lies in its header (`start` to `end`): only the
 * name and the value become strings of their own.
 */
export interface CookiePair {
  readonly name: string;
  readonly value: string;
}

// eslint-disable-next-line no-control-regex -- control characters are what the rule is about
const CONTROL_CHARACTER = /[\x00-\x1F]/;
const TERMINATOR = /[\n\r\0]/;
const EQUALS = 0x3d;

/** The pair in `text` (which holds no ";"), or undefined when it is not a cookie. */
export function parseCookiePair(text: string): CookiePair | undefined {
  return parseCookiePairAt(text, 0, text.length);
}

/** The pair in `text` from `start` to `end` (a stretch without ";"), or undefined when it is not a cookie. */
export function parseCookiePairAt(text: string, start: number, end: number): CookiePair | undefined {
  return readPair(text, start, end) ? { name: readName, value: readValue } : undefined;
}

/**
 * Appends the pair in `text` from `start` to `end` to `names` and `values`
 * (a Cookie header's pairs, without an object per pair); false when it is not
 * a cookie.
 */
export function pushCookiePair(text: string, start: number, end: number, names: string[], values: string[]): boolean {
  if (!readPair(text, start, end)) return false;
  names.push(readName);
  values.push(readValue);
  return true;
}

// The last pair readPair read: a synchronous hand-over that spares an object per pair.
let readName = '';
let readValue = '';

function readPair(text: string, start: number, end: number): boolean {
  let from = start;
  let to = end;
  while (from < to && isTrimmed(text.charCodeAt(from))) from += 1;
  while (to > from && isTrimmed(text.charCodeAt(to - 1))) to -= 1;
  let equals = -1;
  for (let index = from; index < to; index += 1) {
    const code = text.charCodeAt(index);
    // Control characters (terminators among them) are rare: the string-based rules handle them.
    if (code < 0x20) return readWithControls(text.slice(from, to));
    if (code === EQUALS && equals === -1) equals = index;
  }
  if (equals <= from) return false;
  readName = trimmed(text, from, equals);
  readValue = trimmed(text, equals + 1, to);
  return true;
}

/** The rules as tough-cookie states them, for a pair (already trimmed) that holds a control character. */
function readWithControls(trimmedPair: string): boolean {
  let pair = trimmedPair;
  const end = pair.search(TERMINATOR);
  if (end !== -1) pair = pair.slice(0, end);
  const equals = pair.indexOf('=');
  if (equals <= 0) return false;
  const name = pair.slice(0, equals).trim();
  const value = pair.slice(equals + 1).trim();
  if (CONTROL_CHARACTER.test(name) || CONTROL_CHARACTER.test(value)) return false;
  readName = name;
  readValue = value;
  return true;
}

function trimmed(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && isTrimmed(text.charCodeAt(from))) from += 1;
  while (to > from && isTrimmed(text.charCodeAt(to - 1))) to -= 1;
  return text.slice(from, to);
}

/** Whether `String.prototype.trim` drops this code unit: ECMAScript's WhiteSpace and LineTerminator. */
function isTrimmed(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
