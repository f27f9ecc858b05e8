import { describe, expect, it } from 'vitest';
import { AllowList, isLoopbackHost, parseAddressRule } from '../../src/proxy/address-rules.ts';
import type { AddressRule } from '../../src/workers/protocol.ts';

describe('parseAddressRule', () => {
  it.each<[string, AddressRule | null]>([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.168.1.7/24', { address: '192.168.1.7', prefix: 24, family: 'ipv4' }],
    ['192.168.1.7', { address: '192.168.1.7', prefix: 32, family: 'ipv4' }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 'ipv4' }],
    ['fd00::/8', { address: 'fd00::', prefix: 8, family: 'ipv6' }],
    ['[fd00::]/8', { address: 'fd00::', prefix: 8, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['::ffff:10.0.0.1/128', { address: '::ffff:10.0.0.1', prefix: 128, family: 'ipv6' }],
    ['10.0.0.0/33', null],
    ['fd00::/129', null],
    ['10.0.0.0/', null],
    ['10.0.0.0/8/8', null],
    ['10.0.0.0/-1', null],
    ['10.0.0.0/08x', null],
    ['10.0.0', null],
    ['example.com', null],
    ['fe80::1%eth0', null],
    ['', null],
  ])('%j → %j', (text, rule) => {
    expect(parseAddressRule(text)).toEqual(rule);
  });
});

describe('AllowList', () => {
  const rules = ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'].map((text): AddressRule => {
    const rule = parseAddressRule(text);
    if (rule === null) throw new Error(`not a rule: ${text}`);
    return rule;
  });
  const list = new AllowList(rules);

  it.each<[string | undefined, boolean]>([
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['fd12::1', true],
    ['fe80::1', false],
    ['127.0.0.1', false],
    ['::1', false],
    [undefined, false],
    ['not an address', false],
  ])('%s → %s', (address, allowed) => {
    expect(list.allows(address)).toBe(allowed);
  });

  it('lets every address in when there are no rules', () => {
    expect(new AllowList([]).allows('203.0.113.9')).toBe(true);
  });
});

describe('isLoopbackHost', () => {
  it.each<[string, boolean]>([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.2', false],
    ['localhost.example', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
