/**
 * The loop and SSRF guard: no request through the proxy reaches the proxy's
 * own port (a loop: 508 Loop Detected, RFC 5842 §7.2) or the admin API (403)
 * on this machine. "This machine" is any loopback address, the unspecified
 * address (a connection to 0.0.0.0 lands on this host) and every address of
 * its interfaces.
 *
 *   address literal ─▶ check(host, port) before connecting
 *   host name ─▶ lookupFor(port): the resolver's answer is checked, so
 *                localhost, 127.1, a --resolve rule or a DNS record pointing
 *                here are all caught (and a name that changes its answer is
 *                checked each time a connection is made)
 *
 * Only the protected ports are checked: any other port costs nothing.
 */
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';

type LookupOptions = Parameters<LookupFunction>[1];
type LookupCallback = Parameters<LookupFunction>[2];
interface LookupAddress {
  readonly address: string;
  readonly family: number;
}

/** Raised into a connection's error path, and answered by the proxy (see upstream-failure.ts). */
export class TargetRefused extends Error {
  readonly reason: 'loop' | 'admin';
  readonly target: string;

  constructor(reason: 'loop' | 'admin', target: string) {
    super(reason === 'loop' ? `${target} is this proxy: the request would loop` : `${target} is jarsync's admin API, which is not reachable through the proxy`);
    this.reason = reason;
    this.target = target;
  }
}

export interface TargetGuardOptions {
  /** The lookup connections use (the --resolve rules over the system resolver). */
  readonly lookup: LookupFunction;
  /** Ports of the admin API, answered 403. */
  readonly adminPorts: readonly number[];
  /** This machine's interface addresses. Defaults to os.networkInterfaces(), read at each check. */
  readonly interfaceAddresses?: () => readonly string[];
}

function systemInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

function withoutZone(address: string): string {
  const zone = address.indexOf('%');
  return zone < 0 ? address : address.slice(0, zone);
}

export class TargetGuard {
  readonly #lookup: LookupFunction;
  readonly #adminPorts: ReadonlySet<number>;
  readonly #interfaceAddresses: () => readonly string[];
  #ownPort: number | null = null;

  constructor(options: TargetGuardOptions) {
    this.#lookup = options.lookup;
    this.#adminPorts = new Set(options.adminPorts);
    this.#interfaceAddresses = options.interfaceAddresses ?? systemInterfaceAddresses;
  }

  /** The port this worker's proxy listens on (null while it does not). */
  setOwnPort(port: number | null): void {
    this.#ownPort = port;
  }

  /** Whether connecting to `port` on this machine would be refused. */
  protects(port: number): boolean {
    return port === this.#ownPort || this.#adminPorts.has(port);
  }

  /**
   * The refusal for an address literal on a protected port of this machine;
   * null for anything else (a name is checked when it is resolved).
   */
  check(host: string, port: number): TargetRefused | null {
    if (!this.protects(port) || net.isIP(withoutZone(host)) === 0) return null;
    return this.#refusal(host, port);
  }

  /**
   * The lookup for a connection to `port`: on a protected port, a name that
   * resolves to this machine fails with TargetRefused, and any answer that
   * includes such an address counts.
   */
  lookupFor(port: number): LookupFunction {
    if (!this.protects(port)) return this.#lookup;
    return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
      this.#lookup(hostname, options, (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
        if (error !== null) {
          (callback as (error: Error) => void)(error);
          return;
        }
        const answers: readonly LookupAddress[] = Array.isArray(address) ? address : [{ address, family: family ?? 0 }];
        for (const answer of answers) {
          const refused = this.#refusal(answer.address, port, hostname);
          if (refused !== null) {
            (callback as (error: Error) => void)(refused);
            return;
          }
        }
        (callback as (error: null, address: string | LookupAddress[], family?: number) => void)(null, address, family);
      });
    };
  }

  /**
   * Checks a CONNECT target before it is answered: a literal at once, a name
   * by resolving it, but only on a protected port.
   */
  vet(host: string, port: number): Promise<TargetRefused | null> {
    if (!this.protects(port)) return Promise.resolve(null);
    if (net.isIP(withoutZone(host)) !== 0) return Promise.resolve(this.#refusal(host, port));
    return new Promise((resolve) => {
      this.lookupFor(port)(host, { all: true }, (error: NodeJS.ErrnoException | null) => {
        // A name that does not resolve fails again, and is answered, when connected to.
        resolve(error instanceof TargetRefused ? error : null);
      });
    });
  }

  #refusal(address: string, port: number, name?: string): TargetRefused | null {
    if (!this.#isThisMachine(address)) return null;
    const target = `${name ?? address}:${port}`;
    if (port === this.#ownPort) return new TargetRefused('loop', target);
    return this.#adminPorts.has(port) ? new TargetRefused('admin', target) : null;
  }

  #isThisMachine(address: string): boolean {
    const bare = withoutZone(address);
    const family = net.isIP(bare);
    if (family === 0) return false;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (LOCAL.check(bare, type)) return true;
    const list = new net.BlockList();
    for (const local of this.#interfaceAddresses()) {
      const plain = withoutZone(local);
      const localFamily = net.isIP(plain);
      if (localFamily !== 0) list.addAddress(plain, localFamily === 6 ? 'ipv6' : 'ipv4');
    }
    return list.check(bare, type);
  }
}

/** Addresses that always mean this machine: loopback, and "this host" (0.0.0.0/8, RFC 1122 §3.2.1.3; ::). */
const LOCAL = new net.BlockList();
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('0.0.0.0', 8, 'ipv4');
LOCAL.addAddress('::1', 'ipv6');
LOCAL.addAddress('::', 'ipv6');
