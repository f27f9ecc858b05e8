/**
 * A request URL as the cookie rules see it: its canonical host, its path, and
 * whether it is a secure context. Every event carries a URL, and most URLs
 * come back again and again (a page, its API calls), so each distinct URL
 * string is parsed once and remembered (a bounded memo, emptied when full).
 *
 *   "https://WWW.example.com:8443/a/b?q" ──▶ { host: "www.example.com", path: "/a/b", defaultPath: "/a", secure: true }
 */
import { defaultPath } from 'tough-cookie';

export interface RequestTarget {
  /** The URL's host, canonical: lower case, punycode, an IPv6 address without brackets. */
  readonly host: string;
  /**
   * The path, percent-decoded as tough-cookie decodes it before path-matching
   * (`decodeURI`, kept as it is when that fails).
   */
  readonly path: string;
  /** RFC 6265 section 5.1.4's default-path: the path a Set-Cookie without a Path attribute gets. */
  readonly defaultPath: string;
  /** Whether the URL is a secure context for cookies; see {@link isSecureContext}. */
  readonly secure: boolean;
}

/** Distinct URLs remembered; past it the memo starts afresh (a few MB at most). */
const MEMO_SIZE = 4096;
/** Longer URLs are parsed every time rather than held. */
const MEMO_MAX_URL_LENGTH = 1024;
const memo = new Map<string, RequestTarget | null>();

/** The target of an absolute http: or https: URL; null for anything else. */
export function requestTarget(text: string): RequestTarget | null {
  const known = memo.get(text);
  if (known !== undefined) return known;
  const target = parseTarget(text);
  if (text.length <= MEMO_MAX_URL_LENGTH) {
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(text, target);
  }
  return target;
}

/** An absolute http: or https: URL with a host, or null. */
export function parseAbsoluteHttpUrl(text: string): URL | null {
  const url = URL.parse(text);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  return url;
}

/** The target of a URL already parsed. */
export function targetOf(url: URL): RequestTarget {
  let path = url.pathname;
  try {
    path = decodeURI(path);
  } catch {
    // A malformed escape: tough-cookie keeps the raw path too.
  }
  return { host: bareHost(url.hostname), path, defaultPath: defaultPath(path), secure: isSecureContext(url) };
}

/**
 * Whether a URL is a secure context for cookies. Following Chromium (and the
 * W3C Secure Contexts definition of a potentially trustworthy origin), https
 * is, and so are loopback hosts over plain http: 127.0.0.0/8, ::1, `localhost`
 * and names under `.localhost`. A Secure cookie from http://localhost:3000 is
 * stored and sent back there, as the browser the jar mirrors would. It is the
 * rule tough-cookie applies with `allowSecureOnLocal: true`.
 */
export function isSecureContext(url: URL): boolean {
  if (url.protocol === 'https:' || url.protocol === 'wss:') return true;
  const host = bareHost(url.hostname).replace(/\.+$/, '');
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (host === '::1') return true;
  return host === 'localhost' || host.endsWith('.localhost');
}

function parseTarget(text: string): RequestTarget | null {
  const url = parseAbsoluteHttpUrl(text);
  return url === null ? null : targetOf(url);
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
