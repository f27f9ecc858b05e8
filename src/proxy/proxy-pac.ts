/**
 * A proxy auto-config (PAC) file for the domain list: a device that loads it
 * sends only the traffic jarsync must see through the proxy, and everything
 * else straight to the web.
 *
 *   rules + proxy host:port ──proxyPac──▶ function FindProxyForURL(url, host) { … }
 *
 *   you write                PAC sends through the proxy
 *   example.com              example.com and every subdomain, http and https (ws and wss alike)
 *   https://example.com      exactly example.com, https URLs only
 *   http://example.com:8080  exactly example.com, plain http, port 8080 only
 *   127.0.0.1, ::1           exactly that address
 *   (always)                 jarsync.cert, the CA page a device opens through the proxy
 *
 * A synced URL is answered `PROXY host:port` with no `DIRECT` fallback: when
 * jarsync is down, the device fails visibly rather than going around it and
 * syncing nothing. Everything else is `DIRECT`.
 *
 * The PAC functions used are the ones every PAC engine provides (Netscape's
 * original definition, kept by Chromium and Firefox): `dnsDomainIs(host,
 * ".example.com")` is a plain suffix test. Hosts are made lower-case first, and
 * an IPv6 host is compared with and without brackets (engines differ).
 *
 * Pure functions: the admin API serves the text at /proxy.pac; the proxy
 * answers a plain `GET /proxy.pac` on its own port with `pacAnswer`, pointing
 * at the address the device used to reach it (its Host header), so a device
 * can be given `http://<proxy address>:<port>/proxy.pac` as its PAC URL.
 */
import { isIP, isIPv6 } from 'node:net';
import type { DomainRule } from '../domains/domain-rule.ts';
import { CERT_PAGE_HOST, type StaticResponse } from './cert-page.ts';
import { parseAuthority } from './target.ts';

/** The PAC file's MIME type (Netscape's, which browsers and OSes look for). */
export const PAC_CONTENT_TYPE = 'application/x-ns-proxy-autoconfig';

export interface PacProxy {
  /** As devices reach it: a name or an IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
}

/** The PAC file's text. `rules` are parsed and canonical (parseDomainRule), so every host is safe to quote. */
export function proxyPac(rules: readonly DomainRule[], proxy: PacProxy): string {
  const target = `PROXY ${isIPv6(proxy.host) ? `[${proxy.host}]` : proxy.host}:${proxy.port}`;
  const tests = [`host === ${JSON.stringify(CERT_PAGE_HOST)}`, ...rules.map(ruleTest)];
  return `// jarsync: the synced domains go through the proxy, everything else directly.
// Domains: ${rules.length === 0 ? 'none' : rules.map((rule) => rule.spec).join(', ')}
function FindProxyForURL(url, host) {
  host = host.toLowerCase();
  if (host.charAt(0) === '[') host = host.substring(1, host.length - 1);
  var scheme = url.substring(0, url.indexOf(':')).toLowerCase();
  if (scheme === 'ws') scheme = 'http';
  if (scheme === 'wss') scheme = 'https';
  var authority = /^[a-z][a-z0-9+.-]*:\\/\\/(?:[^@\\/]*@)?(\\[[^\\]]*\\]|[^:\\/]*)(?::(\\d+))?/i.exec(url);
  var port = authority !== null && authority[2] ? parseInt(authority[2], 10) : scheme === 'https' ? 443 : 80;
  if (
    ${tests.join(' ||\n    ')}
  ) {
    return ${JSON.stringify(target)};
  }
  return 'DIRECT';
}
`;
}

/** The condition under which one rule syncs a URL, as PAC JavaScript. */
function ruleTest(rule: DomainRule): string {
  const host = JSON.stringify(rule.host);
  const hostTest = rule.subdomains ? `(host === ${host} || dnsDomainIs(host, ${JSON.stringify(`.${rule.host}`)}))` : `host === ${host}`;
  const parts = [hostTest];
  if (rule.scheme !== null) parts.push(`scheme === ${JSON.stringify(rule.scheme)}`);
  if (rule.port !== null) parts.push(`port === ${rule.port}`);
  if (rule.scheme === null) parts.push(`(scheme === 'http' || scheme === 'https')`);
  return parts.length === 1 ? hostTest : `(${parts.join(' && ')})`;
}

/** The path the proxy answers with the PAC file, for an origin-form request (query ignored). */
export const PAC_PATH = '/proxy.pac';

/** Whether an origin-form request target asks for the PAC file. */
export function isPacRequest(requestTarget: string): boolean {
  const query = requestTarget.indexOf('?');
  return (query < 0 ? requestTarget : requestTarget.slice(0, query)) === PAC_PATH;
}

/**
 * The proxy's address as a client reached it: the request's Host header when
 * it names a host name or an IP address, else the address and port the
 * client's connection came in on (an IPv4 client of a dual-stack listener is
 * seen as `::ffff:a.b.c.d`: the IPv4 address is what it typed).
 */
export function proxySeenBy(hostHeader: string | undefined, local: PacProxy): PacProxy {
  const named = hostHeader === undefined ? null : parseAuthority(hostHeader.trim(), local.port);
  // Only a plain name or address goes into the file: nothing a script could be hidden in.
  if (named !== null && (isIP(named.host) !== 0 || /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(named.host))) return named;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(local.host);
  return { host: mapped?.[1] ?? local.host, port: local.port };
}

/** The proxy port's answer to `GET /proxy.pac`: the PAC file for the domain list, through the address the client used. */
export function pacAnswer(rules: readonly DomainRule[], hostHeader: string | undefined, local: PacProxy): StaticResponse {
  const body = Buffer.from(proxyPac(rules, proxySeenBy(hostHeader, local)));
  return {
    status: 200,
    headers: { 'content-type': PAC_CONTENT_TYPE, 'content-length': String(body.length), 'cache-control': 'no-store' },
    body,
  };
}
