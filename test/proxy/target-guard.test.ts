import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TargetGuard, TargetRefused } from '../../src/proxy/target-guard.ts';

const OWN = 5555;
const ADMIN = 5556;

/** A resolver that knows a few names, like a --resolve rule or a DNS record would. */
const lookup: LookupFunction = (hostname, options, callback) => {
  const table: Record<string, dns.LookupAddress[]> = {
    'here.test': [{ address: '127.0.0.1', family: 4 }],
    'mixed.test': [
      { address: '203.0.113.5', family: 4 },
      { address: '::1', family: 6 },
    ],
    'lan.test': [{ address: '192.0.2.2', family: 4 }],
    'away.test': [{ address: '203.0.113.5', family: 4 }],
  };
  const found = table[hostname];
  if (found === undefined) {
    (callback as (error: Error) => void)(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return;
  }
  if (options.all === true) (callback as (error: null, addresses: dns.LookupAddress[]) => void)(null, found);
  else (callback as (error: null, address: string, family: number) => void)(null, found[0]?.address ?? '', found[0]?.family ?? 4);
};

function guard(): TargetGuard {
  const made = new TargetGuard({ lookup, adminPorts: [ADMIN], interfaceAddresses: () => ['127.0.0.1', '192.0.2.2', 'fe80::1%eth0'] });
  made.setOwnPort(OWN);
  return made;
}

function resolveThrough(made: TargetGuard, host: string, port: number, all: boolean): Promise<unknown> {
  return new Promise((resolve) => {
    made.lookupFor(port)(host, { all }, (error: NodeJS.ErrnoException | null, address?: unknown) => {
      resolve(error ?? address);
    });
  });
}

describe('TargetGuard', () => {
  it.each<[string, number, 'loop' | 'admin' | null]>([
    ['127.0.0.1', OWN, 'loop'],
    ['127.8.8.8', OWN, 'loop'],
    ['::1', OWN, 'loop'],
    ['::ffff:127.0.0.1', OWN, 'loop'],
    ['0.0.0.0', OWN, 'loop'],
    ['::', OWN, 'loop'],
    ['192.0.2.2', OWN, 'loop'],
    ['fe80::1%eth0', OWN, 'loop'],
    ['127.0.0.1', ADMIN, 'admin'],
    ['192.0.2.2', ADMIN, 'admin'],
    ['203.0.113.5', OWN, null],
    ['127.0.0.1', 8080, null],
    ['here.test', OWN, null],
  ])('checks the literal %s:%d → %s', (host, port, reason) => {
    expect(guard().check(host, port)?.reason ?? null).toBe(reason);
  });

  it.each<[string, number, boolean, 'loop' | 'admin' | null]>([
    ['here.test', OWN, false, 'loop'],
    ['here.test', ADMIN, true, 'admin'],
    ['mixed.test', OWN, true, 'loop'],
    ['lan.test', ADMIN, false, 'admin'],
    ['away.test', OWN, true, null],
  ])('checks what %s resolves to on port %d (all: %s) → %s', async (host, port, all, reason) => {
    const result = await resolveThrough(guard(), host, port, all);
    expect(result instanceof TargetRefused ? result.reason : null).toBe(reason);
  });

  it('leaves unprotected ports to the plain lookup, and passes resolver errors on', async () => {
    const made = guard();
    expect(made.lookupFor(8080)).toBe(lookup);
    expect(await resolveThrough(made, 'nowhere.test', OWN, false)).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('vets a CONNECT target: names resolved only on protected ports', async () => {
    const made = guard();
    expect((await made.vet('here.test', OWN))?.reason).toBe('loop');
    expect((await made.vet('[::1]'.slice(1, -1), ADMIN))?.reason).toBe('admin');
    expect(await made.vet('away.test', OWN)).toBeNull();
    expect(await made.vet('nowhere.test', OWN)).toBeNull();
    expect(await made.vet('here.test', 8080)).toBeNull();
  });

  it('forgets its own port when it stops listening', () => {
    const made = guard();
    made.setOwnPort(null);
    expect(made.check('127.0.0.1', OWN)).toBeNull();
    expect(made.protects(ADMIN)).toBe(true);
  });
});
