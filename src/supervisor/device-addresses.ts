/**
 * The proxy's address as a device should type it in its proxy settings, and
 * the onboarding page it opens there (the CA page the proxy serves to direct
 * requests, `http://<address>:<port>/`) and the PAC file beside it
 * (`http://<address>:<port>/proxy.pac`).
 *
 *   bound to          devices type
 *   127.0.0.1, ::1    that address: only this machine reaches it
 *   0.0.0.0           each IPv4 address of this machine's network interfaces
 *   ::                each IPv4 and global IPv6 address of them
 *   192.168.1.23      that address
 *
 * Link-local IPv6 addresses (fe80::/10) are left out: a device would need the
 * interface's zone to use one, and no proxy setting takes it.
 */
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { isLoopbackHost } from '../proxy/address-rules.ts';

export interface DeviceAddress {
  /** An IP address (IPv6 without brackets) or `localhost`. */
  readonly host: string;
  readonly port: number;
  /** `host:port` as a proxy setting takes it (IPv6 in brackets). */
  readonly address: string;
  /** The proxy's own CA page, which a device opens directly (not through the proxy). */
  readonly onboardingUrl: string;
  /** The PAC file the proxy serves on its own port, pointing at this address. */
  readonly pacUrl: string;
}

export interface DeviceAddresses {
  /** Whether other machines can reach the proxy at all. */
  readonly beyondLoopback: boolean;
  /** Best first: IPv4, then IPv6. Empty when bound to every interface and none has an address. */
  readonly addresses: readonly DeviceAddress[];
}

export function deviceAddresses(boundHost: string, port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): DeviceAddresses {
  if (isLoopbackHost(boundHost)) return { beyondLoopback: false, addresses: [deviceAddress(boundHost, port)] };
  if (boundHost !== '0.0.0.0' && boundHost !== '::') return { beyondLoopback: true, addresses: [deviceAddress(boundHost, port)] };
  const found: NetworkInterfaceInfo[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv6' && (boundHost === '0.0.0.0' || /^fe[89ab]/i.test(info.address))) continue;
      found.push(info);
    }
  }
  found.sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
  const unique = [...new Set(found.map((info) => info.address))];
  return { beyondLoopback: true, addresses: unique.map((host) => deviceAddress(host, port)) };
}

function deviceAddress(host: string, port: number): DeviceAddress {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  return { host, port, address: authority, onboardingUrl: `http://${authority}/`, pacUrl: `http://${authority}/proxy.pac` };
}
