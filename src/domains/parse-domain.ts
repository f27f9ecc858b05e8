/**
 * Turns what a person types as a domain to sync into a canonical DomainRule,
 * or refuses it with a JarsyncError whose message quotes the input and names
 * what is wrong.
 *
 *   input ─▶ trim, NFKC (only when non-ASCII), lower-case
 *         ─▶ scheme form  `http(s)://host[:port][/]`   exact host, scheme (and port)
 *            bare form    `[*.|.]host[.]`              host and subdomains (an IP: exact)
 *         ─▶ host: IPv6 (canonical, no brackets) | IPv4 (dotted quad) | name (punycode)
 *
 * The parser is strict where a lenient reading would change what gets
 * decrypted: anything it cannot read one way only is refused, not guessed.
 */
import { isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { JarsyncError } from '../errors.ts';
import type { DomainRule } from './domain-rule.ts';

/**
 * RFC 1035 §2.3.4: "labels 63 octets or less"; "names 255 octets or less".
 * 255 octets on the wire (length bytes and the root label included) leave 253
 * characters of dotted text without the trailing dot.
 */
const MAX_LABEL_LENGTH = 63;
const MAX_NAME_LENGTH = 253;

/** Error messages quote the input; a pasted blob is cut so the message stays readable. */
const MAX_QUOTED_LENGTH = 100;

/**
 * UTS #46 §2.3 treats U+3002 IDEOGRAPHIC FULL STOP, U+FF0E FULLWIDTH FULL STOP and
 * U+FF61 HALFWIDTH IDEOGRAPHIC FULL STOP as label separators. NFKC already folds
 * the last two into U+002E and U+3002 respectively; this handles what remains.
 */
const IDEOGRAPHIC_FULL_STOP = '\u3002';

// A URI scheme per RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
const SCHEME_FORM = /^([a-z][a-z0-9+.-]*):\/\//;
const HTTP_WITHOUT_SLASHES = /^https?:/;
const PORT_WITHOUT_SCHEME = /^(\[[^\]]*\]|[^:[\]]*):(\d*)$/;
const DIGITS = /^\d+$/;
// Without the u flag a class of UTF-16 code units also catches surrogate halves.
const NON_ASCII = /[\u0080-\uffff]/;
/**
 * The WHATWG URL host parser's "ends in a number" test: a last label of digits,
 * or `0x` and hex digits, makes a URL parser read the whole host as an IPv4
 * address (`127.1`, `0x7f.1`, `2130706433` all become 127.0.0.1). Such a name
 * could never be sent as a name, so it must be an exact dotted quad or nothing.
 */
const NUMERIC_LABEL = /^(\d+|0x[0-9a-f]*)$/;
/**
 * Four decimal octets, no leading zeros: `010.0.0.1` is octal (8.0.0.1) to a URL
 * parser and decimal to a person, so it is refused rather than guessed.
 */
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
/**
 * RFC 1123 §2.1 host names are letters, digits and hyphens. Browsers also send
 * names with underscores, and with a hyphen at either end of a label (both are
 * found on real sites' subdomains), so those are accepted too.
 */
const LABEL_CHARACTER = /^[a-z0-9_-]$/;
const NUMERIC_LAST_LABEL = 'its last label is a number, so it must be an IPv4 address as four decimal octets (like 192.0.2.1)';

type HostKind = 'name' | 'ipv4' | 'ipv6';

interface ParsedHost {
  readonly host: string;
  readonly kind: HostKind;
}

/**
 * Parses one domain rule.
 *
 * - `example.com`, `*.example.com`, `.example.com`, `Example.COM.` → `example.com`:
 *   that host and every subdomain, any scheme, any port.
 * - `https://example.com`, `https://example.com/` → exactly that host over https, any port.
 * - `http://example.com:8080` → exactly that host over plain http on port 8080 only.
 *   A default port written out (`https://example.com:443`) is kept: it narrows the
 *   rule to that port, unlike the port-less form.
 * - `127.0.0.1`, `::1`, `[::1]`, `http://[::1]:8080` → IP addresses are exact hosts,
 *   never with subdomains; IPv6 is canonical as the WHATWG URL parser writes it
 *   (compressed, lower-case, no brackets) so it compares equal to hosts the proxy
 *   reads from URLs.
 * - IDNs become punycode (`bücher.example` → `xn--bcher-kva.example`).
 *
 * Leading and trailing white space is ignored (pasted input). A wildcard or a
 * leading dot in a scheme form is refused: a scheme form names one host, and
 * dropping the `*.` silently would narrow the rule against the user's intent.
 *
 * @throws JarsyncError `JARSYNC_ERR_BAD_DOMAIN` for anything else.
 */
export function parseDomainRule(input: string): DomainRule {
  let text = input.trim();
  if (text === '') refuse(input, 'it is empty');
  // Full-width input (`ｅｘａｍｐｌｅ．ｃｏｍ`) folds to ASCII here, so an all-numeric
  // label typed full-width meets the same IPv4 rules as one typed in ASCII.
  if (NON_ASCII.test(text)) text = text.normalize('NFKC').replaceAll(IDEOGRAPHIC_FULL_STOP, '.');
  text = text.toLowerCase();

  const scheme = SCHEME_FORM.exec(text);
  if (scheme !== null) return parseSchemeForm(input, scheme[1] ?? '', text.slice(scheme[0].length));
  return parseBareForm(input, text);
}

function parseSchemeForm(input: string, scheme: string, rest: string): DomainRule {
  if (scheme !== 'http' && scheme !== 'https') {
    refuse(input, `the scheme ${scheme}:// is not supported; use http://, https:// or no scheme at all`);
  }
  const end = firstIndexOf(rest, '/?#');
  const authority = rest.slice(0, end);
  const tail = rest.slice(end);
  if (authority.includes('@')) refuse(input, 'it carries credentials (user@ or user:password@); give only the host');
  checkTail(input, tail);
  if (authority === '') refuse(input, 'it has no host after the scheme');

  let hostText: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) refuse(input, 'an IPv6 address opens with [ but never closes with ]');
    hostText = authority.slice(0, close + 1);
    const after = authority.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) refuse(input, `unexpected ${quote(after)} after the IPv6 address`);
      portText = after.slice(1);
    }
  } else {
    const colon = authority.indexOf(':');
    if (colon >= 0 && authority.includes(':', colon + 1)) {
      if (isIPv6(authority)) refuse(input, `an IPv6 address in a scheme form needs brackets: ${scheme}://[${authority}]`);
      refuse(input, 'it has more than one : in the host and port');
    }
    hostText = colon < 0 ? authority : authority.slice(0, colon);
    if (colon >= 0) portText = authority.slice(colon + 1);
  }

  if (hostText.startsWith('*.')) {
    refuse(input, `a scheme form names exactly one host, so it takes no wildcard; write ${hostText.slice(2)} to sync every subdomain`);
  }
  if (hostText.startsWith('.') && hostText.length > 1) {
    refuse(input, `a scheme form names exactly one host, so it takes no leading dot; write ${hostText.slice(1)} to sync every subdomain`);
  }
  const host = parseHost(input, hostText);
  const port = portText === undefined ? null : parsePort(input, portText);
  const shown = host.kind === 'ipv6' ? `[${host.host}]` : host.host;
  return Object.freeze({
    spec: `${scheme}://${shown}${port === null ? '' : `:${port}`}`,
    host: host.host,
    scheme,
    port,
    subdomains: false,
  });
}

/** After the authority only a lone `/` may follow: the rule is a host, not a URL. */
function checkTail(input: string, tail: string): void {
  if (tail === '' || tail === '/') return;
  const rest = tail.startsWith('/') ? tail.slice(1) : tail;
  if (rest.startsWith('?')) refuse(input, 'it has a query (?…); give only the scheme and host');
  if (rest.startsWith('#')) refuse(input, 'it has a fragment (#…); give only the scheme and host');
  refuse(input, 'it has a path; give only the scheme and host (a single trailing / is fine)');
}

function parsePort(input: string, text: string): number {
  if (text === '') refuse(input, 'it has a : but no port number after it');
  if (!DIGITS.test(text)) refuse(input, `the port ${quote(text)} is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65_535) refuse(input, `the port ${text} is outside 1–65535`);
  return port;
}

function parseBareForm(input: string, text: string): DomainRule {
  if (text.startsWith('//')) refuse(input, 'it starts with // but has no scheme; write https://… or just the host');
  if (HTTP_WITHOUT_SLASHES.test(text) && !PORT_WITHOUT_SCHEME.test(text)) {
    refuse(input, 'a scheme needs // after the colon, as in https://example.com');
  }
  if (text.includes('@')) refuse(input, 'it carries credentials (user@ or user:password@); give only the host');
  const end = firstIndexOf(text, '/?#');
  if (end < text.length) {
    const what = text[end] === '?' ? 'a query (?…)' : text[end] === '#' ? 'a fragment (#…)' : 'a path';
    refuse(input, `it has ${what}; give only the host, or a scheme and host`);
  }

  if (text.includes(':') && !text.startsWith('[')) {
    const zone = text.indexOf('%');
    if (zone >= 0 && isIPv6(text.slice(0, zone))) refuse(input, 'an IPv6 zone (%…) names a local interface, not a host');
    if (isIPv6(text)) return ipRule(canonicalIPv6(input, text));
  }
  const port = PORT_WITHOUT_SCHEME.exec(text);
  if (port !== null) {
    const authority = `${port[1] ?? ''}:${port[2] === '' || port[2] === undefined ? '<port>' : port[2]}`;
    refuse(input, `a port is accepted only with a scheme: write http://${authority} or https://${authority}`);
  }
  if (text.includes(':') && !text.startsWith('[')) {
    if (text.indexOf(':') !== text.lastIndexOf(':')) refuse(input, `${quote(text)} is not a valid IPv6 address`);
    refuse(input, 'a : belongs only in an IPv6 address or before the port of a scheme form (https://host:port)');
  }
  if (text.startsWith('[')) return ipRule(parseHost(input, text).host);

  // `*.example.com` and `.example.com` say "and every subdomain", which a bare
  // name means already, so both marks are dropped.
  let name = text;
  let marked = false;
  if (name.startsWith('*.')) {
    name = name.slice(2);
    marked = true;
  } else if (name.startsWith('.')) {
    name = name.slice(1);
    marked = true;
  }
  const host = parseHost(input, name);
  if (host.kind !== 'name') {
    if (marked) refuse(input, 'an IP address has no subdomains, so it takes no leading *. or dot');
    return ipRule(host.host);
  }
  return Object.freeze({ spec: host.host, host: host.host, scheme: null, port: null, subdomains: true });
}

function ipRule(host: string): DomainRule {
  return Object.freeze({ spec: host, host, scheme: null, port: null, subdomains: false });
}

/** A host as it stands between the scheme (if any) and the port: `[v6]`, v6, IPv4 or a name. */
function parseHost(input: string, text: string): ParsedHost {
  if (text.startsWith('[')) {
    if (!text.includes(']')) refuse(input, 'an IPv6 address opens with [ but never closes with ]');
    if (!text.endsWith(']')) refuse(input, `unexpected characters after the IPv6 address in ${quote(text)}`);
    const inner = text.slice(1, -1);
    if (inner.includes('%')) refuse(input, 'an IPv6 zone (%…) names a local interface, not a host');
    if (!isIPv6(inner)) refuse(input, `${quote(inner)} in brackets is not an IPv6 address (brackets are only for IPv6)`);
    return { host: canonicalIPv6(input, inner), kind: 'ipv6' };
  }
  // One trailing dot is the DNS root; more than one is an empty label, refused below.
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name === '') refuse(input, 'it has no host name');
  if (NON_ASCII.test(name)) return parseInternationalName(input, name);
  return parseAsciiName(input, name);
}

function parseInternationalName(input: string, name: string): ParsedHost {
  // domainToASCII is a whole URL host parser: it would percent-decode, drop a
  // path and read numbers as IPv4. Checking the ASCII characters first keeps
  // those inputs on the path that names their actual problem.
  for (const character of name) {
    if (character.charCodeAt(0) < 0x80 && character !== '.') checkLabelCharacter(input, character);
  }
  if (NUMERIC_LABEL.test(name.slice(name.lastIndexOf('.') + 1))) refuse(input, NUMERIC_LAST_LABEL);
  const ascii = domainToASCII(name);
  if (ascii === '') refuse(input, 'it is not a valid internationalised domain name (IDNA)');
  return parseAsciiName(input, ascii);
}

function parseAsciiName(input: string, name: string): ParsedHost {
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') refuse(input, 'it has an empty label (two dots in a row, or a dot at the start)');
    for (const character of label) checkLabelCharacter(input, character);
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH) {
      refuse(input, `the label ${quote(label)} is ${label.length} characters long; the limit is ${MAX_LABEL_LENGTH}`);
    }
  }
  if (name.length > MAX_NAME_LENGTH) refuse(input, `the name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
  if (NUMERIC_LABEL.test(labels.at(-1) ?? '')) {
    if (DOTTED_QUAD.test(name)) return { host: name, kind: 'ipv4' };
    refuse(input, NUMERIC_LAST_LABEL);
  }
  return { host: name, kind: 'name' };
}

function checkLabelCharacter(input: string, character: string): void {
  if (LABEL_CHARACTER.test(character)) return;
  if (character === '*') refuse(input, 'a wildcard is accepted only as a leading *. (as in *.example.com)');
  refuse(input, `the character ${quote(character)} is not allowed in a host name`);
}

function canonicalIPv6(input: string, address: string): string {
  // The WHATWG serialiser (compressed, lower-case, IPv4-mapped tails in hex) is
  // what `new URL()` gives the proxy, so rules and request hosts compare equal.
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch (error) {
    throw new JarsyncError('JARSYNC_ERR_BAD_DOMAIN', message(input, `${quote(address)} is not an IPv6 address`), { cause: error });
  }
}

function firstIndexOf(text: string, characters: string): number {
  for (let i = 0; i < text.length; i++) {
    if (characters.includes(text.charAt(i))) return i;
  }
  return text.length;
}

function refuse(input: string, reason: string): never {
  throw new JarsyncError('JARSYNC_ERR_BAD_DOMAIN', message(input, reason));
}

function message(input: string, reason: string): string {
  return `Cannot sync ${quote(input)}: ${reason}.`;
}

function quote(text: string): string {
  const cut = text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
  return JSON.stringify(cut);
}
