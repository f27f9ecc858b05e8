/**
 * The four forms of a request-target (RFC 9112 §3.2) and where each sends the
 * request. Authorities and absolute URIs are read by `../target.ts`, so this
 * engine and the node:http one agree on every host, port and path.
 *
 *   origin-form    = absolute-path [ "?" query ]     GET /a?b HTTP/1.1
 *   absolute-form  = absolute-URI                    GET http://h/a HTTP/1.1
 *   authority-form = uri-host ":" port               CONNECT h:443 HTTP/1.1
 *   asterisk-form  = "*"                             OPTIONS * HTTP/1.1
 */
import type { Target } from '../target.ts';
import { parseAbsoluteTarget, parseAuthority } from '../target.ts';

export type RequestTargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

const SLASH = 0x2f;

function isAlpha(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

/** RFC 3986 §3.1: `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`, then ":". */
function startsWithScheme(target: string): boolean {
  if (!isAlpha(target.charCodeAt(0))) return false;
  for (let i = 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 0x3a) return true;
    const ok = isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
    if (!ok) return false;
  }
  return false;
}

/**
 * The form of `target` for `method`, or null when it fits none the method
 * allows: CONNECT takes only the authority-form (RFC 9112 §3.2.3), the
 * asterisk-form is only for OPTIONS (RFC 9112 §3.2.4), and every other method
 * takes the origin-form or the absolute-form.
 */
export function targetFormOf(method: string, target: string): RequestTargetForm | null {
  const first = target.charCodeAt(0);
  if (method === 'CONNECT') {
    return first === SLASH || target === '*' || target.includes('/') ? null : 'authority';
  }
  if (first === SLASH) return 'origin';
  if (target === '*') return method === 'OPTIONS' ? 'asterisk' : null;
  return startsWithScheme(target) ? 'absolute' : null;
}

const COLON = 0x3a;
const QUESTION = 0x3f;
const HASH = 0x23;
const DOT = 0x2e;

/** True when `target` starts with `prefix` (lower-case ASCII) in any case. */
function startsWithLower(target: string, prefix: string): boolean {
  for (let k = 0; k < prefix.length; k++) {
    if ((target.charCodeAt(k) | 0x20) !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * The absolute-form targets proxies see nearly always, `http[s]://` then a
 * host of ASCII letters, digits, "." and "-" (not ending in "."), an optional
 * port and a path, read in one loop with no regular expression or
 * intermediate string: `parseAbsoluteTarget` costs ~0.5 µs per request, this
 * a tenth of that. Anything else (IPv6, userinfo, a trailing dot, other bytes)
 * gives null, and `parseAbsoluteTarget` reads it, so both read every target
 * alike (a property test compares them).
 */
function commonAbsoluteTarget(target: string): Target | null {
  let scheme: 'http' | 'https';
  let i: number;
  if (startsWithLower(target, 'http://')) {
    scheme = 'http';
    i = 7;
  } else if (startsWithLower(target, 'https://')) {
    scheme = 'https';
    i = 8;
  } else {
    return null;
  }
  const hostStart = i;
  let upper = false;
  let c = target.charCodeAt(i);
  for (;;) {
    const lower = c | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) {
      if (c !== lower) upper = true;
    } else if (!((c >= 0x30 && c <= 0x39) || c === DOT || c === 0x2d)) {
      break;
    }
    c = target.charCodeAt(++i);
  }
  const hostEnd = i;
  if (hostEnd === hostStart || target.charCodeAt(hostEnd - 1) === DOT) return null;
  let port = scheme === 'https' ? 443 : 80;
  if (c === COLON) {
    const portStart = ++i;
    port = 0;
    c = target.charCodeAt(i);
    while (c >= 0x30 && c <= 0x39 && i - portStart < 5) {
      port = port * 10 + (c - 0x30);
      c = target.charCodeAt(++i);
    }
    if (i === portStart || port < 1 || port > 65_535) return null;
  }
  // The authority ends at "/", "?", "#" or the end; anything else is for parseAbsoluteTarget.
  if (i < target.length && c !== SLASH && c !== QUESTION && c !== HASH) return null;
  const host = upper ? target.slice(hostStart, hostEnd).toLowerCase() : target.slice(hostStart, hostEnd);
  const fragment = target.indexOf('#', i);
  let path = fragment < 0 ? target.slice(i) : target.slice(i, fragment);
  if (path === '') path = '/';
  else if (path.charCodeAt(0) === QUESTION) path = `/${path}`;
  return { scheme, host, port, path };
}

/** Where a request in a tunnel goes when its target names no host: the tunnel's origin. */
export interface TunnelOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

/**
 * Where a request goes. An absolute-form target names its origin (http and
 * https only; userinfo refused, as `parseAbsoluteTarget` does). An origin-form
 * or asterisk-form target goes to the origin of the tunnel it arrived in;
 * outside a tunnel it has no origin the proxy could know (null). A CONNECT's
 * authority is read by `connectTargetOf`.
 */
export function requestTargetOf(form: RequestTargetForm, target: string, tunnel: TunnelOrigin | null): Target | null {
  switch (form) {
    case 'absolute':
      return commonAbsoluteTarget(target) ?? parseAbsoluteTarget(target);
    case 'origin':
    case 'asterisk':
      return tunnel === null ? null : { scheme: tunnel.scheme, host: tunnel.host, port: tunnel.port, path: target };
    case 'authority':
      return null;
  }
}

/**
 * The host and port of a CONNECT's authority-form target. RFC 9112 §3.2.3:
 * "authority-form = uri-host ":" port": the port is required, so a missing one
 * is given as 0, which `parseAuthority` refuses as out of range.
 */
export function connectTargetOf(target: string): { host: string; port: number } | null {
  return parseAuthority(target, 0);
}
