/**
 * Client addresses: who may connect (`--allow`), and which bind addresses
 * keep the proxy on this machine.
 */
import net from 'node:net';
import type { AddressRule } from '../workers/protocol.ts';

/**
 * Reads an `--allow` value: `10.0.0.0/8`, `fd00::/8`, `[fd00::]/8`, or a bare
 * address meaning that address alone (/32, /128). Null when it is not one.
 * Host bits under the prefix are allowed (`192.168.1.7/24` is the /24):
 * that is how people copy a network from their own address.
 */
export function parseAddressRule(text: string): AddressRule | null {
  const slash = text.indexOf('/');
  let address = slash < 0 ? text : text.slice(0, slash);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  // A zone (fe80::1%eth0) names an interface, not a network: it has no place in a rule.
  if (address.includes('%')) return null;
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
  if (family === null) return null;
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family };
}

/** The rule as it is written back in messages: `10.0.0.0/8`, `::1/128`. */
export function formatAddressRule(rule: AddressRule): string {
  return `${rule.address}/${rule.prefix}`;
}

/** True for a rule that lets every address of its family in (`0.0.0.0/0`, `::/0`). */
export function allowsEveryone(rule: AddressRule): boolean {
  return rule.prefix === 0;
}

/**
 * Whether binding `host` keeps the proxy reachable from this machine only:
 * `localhost`, 127.0.0.0/8, ::1 and their IPv4-mapped forms.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const family = net.isIP(host);
  if (family === 0) return false;
  return LOOPBACK.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Checks client addresses against the `--allow` rules. */
export class AllowList {
  /** Null when there are no rules: every address may connect. */
  readonly #list: net.BlockList | null;

  constructor(rules: readonly AddressRule[]) {
    if (rules.length === 0) {
      this.#list = null;
      return;
    }
    const list = new net.BlockList();
    for (const rule of rules) list.addSubnet(rule.address, rule.prefix, rule.family);
    this.#list = list;
  }

  /**
   * Whether a client at `address` may connect. IPv4-mapped IPv6 addresses
   * (what a dual-stack listener reports for IPv4 clients) match IPv4 rules.
   */
  allows(address: string | undefined): boolean {
    if (this.#list === null) return true;
    if (address === undefined) return false;
    const family = net.isIP(address);
    if (family === 0) return false;
    return this.#list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
