import { isIPv6 } from 'node:net';
import { normalizeHost } from '../tls/host-name.ts';

/** Where a proxied request goes: the origin as the client named it. */
export interface Target {
  readonly scheme: 'http' | 'https';
  /** Lower-case host; an IPv6 address without brackets. */
  readonly host: string;
  readonly port: number;
  /** The request target in origin form (`/path?query`). */
  readonly path: string;
}

export function defaultPort(scheme: 'http' | 'https'): number {
  return scheme === 'https' ? 443 : 80;
}

/** `host[:port]` as it goes in a Host header or a URL, brackets around IPv6, default port left out. */
export function authorityOf(target: Pick<Target, 'scheme' | 'host' | 'port'>): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return target.port === defaultPort(target.scheme) ? host : `${host}:${target.port}`;
}

export function urlOf(target: Target): string {
  return `${target.scheme}://${authorityOf(target)}${target.path}`;
}

/**
 * Splits a CONNECT authority (`host:port`, `[v6]:port`) into its parts; null when
 * it is not one.
 */
export function parseAuthority(authority: string, fallbackPort: number): { host: string; port: number } | null {
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return null;
    host = authority.slice(1, close);
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0 && authority.indexOf(':') !== colon) return null;
    host = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
  }
  const port = portText === undefined ? fallbackPort : Number(portText);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65_535 || !/^[^\s/?#@]+$/.test(host)) return null;
  if (portText !== undefined && !/^\d+$/.test(portText)) return null;
  if (host.includes(':')) {
    // IPv6 in its one canonical spelling, the one domain rules and certificates use.
    if (!isIPv6(host) || host.includes('%')) return null;
    return { host: normalizeHost(host), port };
  }
  return { host: host.toLowerCase().replace(/\.$/, ''), port };
}

/**
 * Reads an absolute-form request target (`http://host[:port]/path?query`, RFC
 * 9112 §3.2.2) without normalising the path: a proxy forwards the path exactly
 * as the client wrote it. Null when it is not an absolute http(s) URI with a
 * usable authority (userinfo is refused, as RFC 9110 §4.2.4 deprecates it).
 */
export function parseAbsoluteTarget(requestTarget: string): Target | null {
  let scheme: 'http' | 'https';
  let rest: string;
  const lower = requestTarget.slice(0, 8).toLowerCase();
  if (lower.startsWith('http://')) {
    scheme = 'http';
    rest = requestTarget.slice(7);
  } else if (lower === 'https://') {
    scheme = 'https';
    rest = requestTarget.slice(8);
  } else {
    return null;
  }
  let end = rest.length;
  for (const stop of ['/', '?', '#']) {
    const at = rest.indexOf(stop);
    if (at >= 0 && at < end) end = at;
  }
  const authority = parseAuthority(rest.slice(0, end), defaultPort(scheme));
  if (authority === null) return null;
  let path = rest.slice(end);
  const fragment = path.indexOf('#');
  if (fragment >= 0) path = path.slice(0, fragment);
  if (path === '') path = '/';
  else if (path.startsWith('?')) path = `/${path}`;
  return { scheme, host: authority.host, port: authority.port, path };
}
