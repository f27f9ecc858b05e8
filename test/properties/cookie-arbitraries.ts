/**
 * Random cookie traffic for the pipeline's property tests: Set-Cookie lines
 * and Cookie headers, good and bad, from random hosts and schemes under a few
 * domains (a registrable domain and its subdomains, one under a multi-label
 * public suffix, one on a private suffix, loopback names and addresses).
 */
import fc from 'fast-check';

export const HOSTS = [
  'example.com',
  'www.example.com',
  'a.b.example.com',
  'shop.example.co.uk',
  'me.github.io',
  'localhost',
  'app.localhost',
  '127.0.0.1',
  '[::1]',
  'xn--mnchen-3ya.de',
] as const;

const PATHS = ['/', '/app', '/app/', '/app/page', '/a/b/c', '/%7Euser/x'] as const;

/** A request URL: scheme, host and path. */
export interface TrafficUrl {
  readonly scheme: 'http' | 'https';
  readonly host: (typeof HOSTS)[number];
  readonly path: string;
}

export const trafficUrl: fc.Arbitrary<TrafficUrl> = fc.record({
  scheme: fc.constantFrom('http' as const, 'https' as const),
  host: fc.constantFrom(...HOSTS),
  path: fc.constantFrom(...PATHS),
});

export function urlText(url: TrafficUrl): string {
  return `${url.scheme}://${url.host}${url.path}`;
}

/** The parent domains of a host name, itself included: www.example.com → www.example.com, example.com, com. */
function parents(host: string): string[] {
  if (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host)) return [host];
  const labels = host.split('.');
  return labels.map((_label, index) => labels.slice(index).join('.'));
}

const NAMES = ['sid', 'SID', 'pref', 'theme', '__Secure-s', '__Host-h', '__secure-lower', '__HOST-upper', 'a b', 'x'] as const;

const value = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map((text) => text.replaceAll(';', '')) },
  { weight: 1, arbitrary: fc.constantFrom('"quoted"', 'a b', 'x=y', '\tpadded\t', 'ünïcode', '\u0000nul', 'line\nbreak') },
  { weight: 1, arbitrary: fc.integer({ min: 4080, max: 4100 }).map((length) => 'v'.repeat(length)) },
);

/** Attribute text for a Set-Cookie line sent from `host`. */
function attribute(host: string): fc.Arbitrary<string> {
  const domains = [...parents(host), `.${host}`, host.toUpperCase(), 'example.com', 'co.uk', 'com', 'github.io', 'other.test', 'localhost', '127.0.0.1', ''];
  const past = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const future = 'Wed, 21 Oct 2037 07:28:00 GMT';
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...domains).map((domain) => `Domain=${domain}`) },
    { weight: 3, arbitrary: fc.constantFrom('/', '/app', '/app/', 'app', '/a/b', '').map((path) => `Path=${path}`) },
    { weight: 3, arbitrary: fc.constantFrom('Secure', 'HttpOnly', 'secure', 'Partitioned') },
    { weight: 2, arbitrary: fc.constantFrom('None', 'Lax', 'Strict', 'bogus').map((site) => `SameSite=${site}`) },
    { weight: 2, arbitrary: fc.constantFrom(-1, 0, 1, 2, 5, 60, 3600, 99_999_999_999).map((age) => `Max-Age=${age}`) },
    { weight: 1, arbitrary: fc.constantFrom(past, future, 'not a date').map((date) => `Expires=${date}`) },
    { weight: 1, arbitrary: fc.constantFrom('Priority=High', 'junk', '=', 'Max-Age=abc') },
  );
}

/** A Set-Cookie line as an origin on `host` might send it, well-formed or not. */
export function setCookieLine(host: string): fc.Arbitrary<string> {
  const pair = fc.oneof(
    { weight: 10, arbitrary: fc.tuple(fc.constantFrom(...NAMES), value).map(([name, text]) => `${name}=${text}`) },
    { weight: 1, arbitrary: fc.constantFrom('novalue', '=nameless', '', ' = ') },
  );
  return fc.tuple(pair, fc.array(attribute(host), { maxLength: 5 })).map(([first, attributes]) => [first, ...attributes].join('; '));
}

/** A Cookie header as a client might send it: pairs, repeats, pieces without "=". */
export const cookieHeader: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...NAMES), value).map(([name, text]) => `${name}=${text}`) },
      { weight: 1, arbitrary: fc.constantFrom('orphan', '', '=x') },
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((pairs) => pairs.join('; '));

/** One header seen by the proxy: a response's Set-Cookie line or a request's Cookie header. */
export interface TrafficEvent {
  readonly source: 'response' | 'request';
  readonly url: TrafficUrl;
  readonly header: string;
}

export const trafficEvent: fc.Arbitrary<TrafficEvent> = trafficUrl.chain((url) =>
  fc.oneof(
    { weight: 3, arbitrary: setCookieLine(url.host).map((header) => ({ source: 'response' as const, url, header })) },
    { weight: 1, arbitrary: cookieHeader.map((header) => ({ source: 'request' as const, url, header })) },
  ),
);
