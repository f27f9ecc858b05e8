import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import type { ResolveRule } from '../workers/protocol.ts';

type LookupOptions = Parameters<LookupFunction>[1];
type LookupCallback = Parameters<LookupFunction>[2];

/**
 * A `lookup` for `net.connect`/`http.request` that applies `--resolve` rules
 * first (an exact name, or `*.suffix` for every name below suffix) and falls
 * back to the system resolver. Device labs and benchmarks map whole test
 * domains to a local origin this way without editing /etc/hosts.
 */
export function createLookup(rules: readonly ResolveRule[]): LookupFunction {
  if (rules.length === 0) return dns.lookup;
  const exact = new Map<string, string>();
  const suffixes: [suffix: string, address: string][] = [];
  let catchAll: string | undefined;
  for (const rule of rules) {
    const pattern = rule.pattern.toLowerCase();
    if (pattern === '*') catchAll = rule.address;
    else if (pattern.startsWith('*.')) suffixes.push([pattern.slice(1), rule.address]);
    else exact.set(pattern, rule.address);
  }
  const find = (hostname: string): string | undefined => {
    const host = hostname.toLowerCase();
    const hit = exact.get(host);
    if (hit !== undefined) return hit;
    for (const [suffix, address] of suffixes) if (host.endsWith(suffix)) return address;
    return catchAll;
  };
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const address = find(hostname);
    if (address === undefined) {
      dns.lookup(hostname, options, callback);
      return;
    }
    const family = net.isIPv6(address) ? 6 : 4;
    if (options.all === true) {
      (callback as (err: null, addresses: dns.LookupAddress[]) => void)(null, [{ address, family }]);
    } else {
      (callback as (err: null, address: string, family: number) => void)(null, address, family);
    }
  };
}
