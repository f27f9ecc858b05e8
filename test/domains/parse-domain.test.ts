import { describe, expect, test } from 'vitest';
import type { DomainRule } from '../../src/domains/domain-rule.ts';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';
import { JarsyncError, type ErrorCode } from '../../src/errors.ts';

const LABEL_63 = 'a'.repeat(63);
const LABEL_64 = 'a'.repeat(64);
// 4 labels of 63 and three dots: 255 characters; trimmed to 253 and 254.
const NAME_253 = `${'a'.repeat(61)}.${LABEL_63}.${LABEL_63}.${LABEL_63}`;
const NAME_254 = `${'a'.repeat(62)}.${LABEL_63}.${LABEL_63}.${LABEL_63}`;

/** input → canonical spec */
const accepted: readonly (readonly [input: string, spec: string])[] = [
  // a bare name: that host and its subdomains
  ['example.com', 'example.com'],
  ['Example.COM', 'example.com'],
  ['example.com.', 'example.com'],
  ['*.example.com', 'example.com'],
  ['.example.com', 'example.com'],
  ['*.Example.com.', 'example.com'],
  ['  example.com\t', 'example.com'],
  ['www.example.co.uk', 'www.example.co.uk'],
  ['localhost', 'localhost'],
  ['LOCALHOST.', 'localhost'],
  ['foo_bar.example.com', 'foo_bar.example.com'],
  ['_dmarc.example.com', '_dmarc.example.com'],
  ['a-.example.com', 'a-.example.com'],
  ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ['example.com1', 'example.com1'],
  [`${LABEL_63}.com`, `${LABEL_63}.com`],
  [NAME_253, NAME_253],
  [`${NAME_253}.`, NAME_253],
  // IDNs as punycode
  ['bücher.example', 'xn--bcher-kva.example'],
  ['BÜCHER.example', 'xn--bcher-kva.example'],
  ['*.bücher.example', 'xn--bcher-kva.example'],
  ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
  ['faß.de', 'xn--fa-hia.de'],
  ['ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'],
  ['example。com', 'example.com'],
  // scheme forms: exactly that host, that scheme, any port unless given
  ['https://example.com', 'https://example.com'],
  ['http://example.com', 'http://example.com'],
  ['HTTPS://Example.COM', 'https://example.com'],
  ['https://example.com/', 'https://example.com'],
  ['https://example.com.', 'https://example.com'],
  ['https://example.com:8443', 'https://example.com:8443'],
  ['https://example.com:8443/', 'https://example.com:8443'],
  ['https://example.com:443', 'https://example.com:443'],
  ['http://example.com:80', 'http://example.com:80'],
  ['http://example.com:08080', 'http://example.com:8080'],
  ['http://localhost:3000', 'http://localhost:3000'],
  ['https://bücher.example', 'https://xn--bcher-kva.example'],
  ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ['http://[::1]:8080', 'http://[::1]:8080'],
  ['https://[2001:DB8::1]/', 'https://[2001:db8::1]'],
  ['http://example.com:65535', 'http://example.com:65535'],
  // IP addresses: exact hosts, IPv6 canonical without brackets
  ['127.0.0.1', '127.0.0.1'],
  ['192.0.2.1.', '192.0.2.1'],
  ['255.255.255.255', '255.255.255.255'],
  ['0.0.0.0', '0.0.0.0'],
  ['::1', '::1'],
  ['[::1]', '::1'],
  ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['[2001:db8:0:0:1:0:0:1]', '2001:db8::1:0:0:1'],
  ['::', '::'],
  ['::ffff:192.0.2.1', '::ffff:c000:201'],
  ['１２７.０.０.１', '127.0.0.1'],
];

/** input → why it is refused (the row's name); every one carries JARSYNC_ERR_BAD_DOMAIN */
const refused: readonly (readonly [input: string, why: string])[] = [
  ['', 'empty'],
  ['   ', 'only white space'],
  ['.', 'no host after the leading dot'],
  ['*.', 'no host after the wildcard'],
  ['example.com/', 'a path (even /) without a scheme'],
  ['example.com/path', 'a path'],
  ['https://example.com/path', 'a path in a scheme form'],
  ['https://example.com//', 'a path of one more slash'],
  ['https://example.com?q=1', 'a query'],
  ['https://example.com/?q=1', 'a query after /'],
  ['example.com?q', 'a query without a scheme'],
  ['https://example.com#top', 'a fragment'],
  ['https://user:secret@example.com', 'credentials'],
  ['https://user@example.com', 'a user name'],
  ['user@example.com', 'credentials without a scheme'],
  ['ftp://example.com', 'an unsupported scheme'],
  ['ws://example.com', 'a WebSocket scheme'],
  ['file:///etc/passwd', 'a file URL'],
  ['https:example.com', 'a scheme without //'],
  ['https:/example.com', 'a scheme with one /'],
  ['//example.com', 'a scheme-relative form'],
  ['https://', 'no host in a scheme form'],
  ['https://:8443', 'only a port in a scheme form'],
  ['example.com:8080', 'a port without a scheme'],
  ['localhost:3000', 'a port on a single label without a scheme'],
  ['127.0.0.1:80', 'a port on an IPv4 address without a scheme'],
  ['[::1]:8080', 'a port on an IPv6 address without a scheme'],
  ['example.com:', 'an empty port without a scheme'],
  ['https://example.com:', 'an empty port'],
  ['https://example.com:0', 'port 0'],
  ['https://example.com:65536', 'a port above 65535'],
  ['https://example.com:https', 'a port that is not a number'],
  ['https://example.com:-1', 'a negative port'],
  ['https://example.com:80:80', 'two ports'],
  ['localhost:abc', 'a stray colon'],
  [`${LABEL_64}.com`, 'a label of 64 characters'],
  [NAME_254, 'a name of 254 characters'],
  ['a..example.com', 'an empty label'],
  ['..example.com', 'two leading dots'],
  ['example.com..', 'two trailing dots'],
  ['exa mple.com', 'a space'],
  ['example.com\n.evil', 'a control character'],
  ['exa%6dple.com', 'percent-encoding'],
  ['exam!ple.com', 'punctuation'],
  ['example.com\\', 'a backslash'],
  ['https://exa mple.com', 'a space in a scheme form'],
  ['foo.*.example.com', 'a wildcard in the middle'],
  ['*example.com', 'a wildcard glued to a label'],
  ['example.*', 'a wildcard at the end'],
  ['*', 'a wildcard alone'],
  ['*.*.example.com', 'two wildcards'],
  ['bü*.example', 'a wildcard inside an IDN label'],
  ['https://*.example.com', 'a wildcard in a scheme form'],
  ['https://.example.com', 'a leading dot in a scheme form'],
  ['127.1', 'an IPv4 shorthand'],
  ['2130706433', 'an IPv4 address as one number'],
  ['0x7f.0.0.1', 'an IPv4 address with a hex part'],
  ['010.0.0.1', 'an IPv4 address with a leading zero (octal to a URL parser)'],
  ['256.0.0.1', 'an IPv4 octet above 255'],
  ['1.2.3.4.5', 'five numeric labels'],
  ['example.123', 'an all-numeric last label'],
  ['example.0x1f', 'a hex last label'],
  ['１２７.１', 'an IPv4 shorthand typed full-width'],
  ['bücher.1', 'an IDN with a numeric last label'],
  ['*.127.0.0.1', 'a wildcard on an IPv4 address'],
  ['.127.0.0.1', 'a leading dot on an IPv4 address'],
  ['[127.0.0.1]', 'brackets around IPv4'],
  ['[example.com]', 'brackets around a name'],
  ['[::1', 'an unclosed bracket'],
  ['[::1]x', 'characters after the bracket'],
  ['https://[::1', 'an unclosed bracket in a scheme form'],
  ['http://::1', 'IPv6 without brackets in a scheme form'],
  ['fe80::1%eth0', 'an IPv6 zone'],
  ['https://[fe80::1%25eth0]', 'an IPv6 zone in a scheme form'],
  ['1:2:3:4:5:6:7:8:9', 'nine IPv6 groups'],
  ['[gggg::1]', 'not hex in brackets'],
  ['xn--a\u0000.com', 'a NUL'],
];

function codeOf(input: string): ErrorCode | 'no error' {
  try {
    parseDomainRule(input);
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(JarsyncError);
    return (error as JarsyncError).code;
  }
}

describe('parseDomainRule', () => {
  test('the tables cover enough cases', () => {
    expect(accepted.length + refused.length).toBeGreaterThanOrEqual(50);
  });

  test.each(accepted)('accepts %j as %j', (input, spec) => {
    expect(parseDomainRule(input).spec).toBe(spec);
  });

  test.each(accepted)('%j: the canonical spec parses to itself', (input) => {
    const rule = parseDomainRule(input);
    expect(parseDomainRule(rule.spec)).toEqual(rule);
  });

  test.each(refused)('refuses %j (%s)', (input) => {
    expect(codeOf(input)).toBe('JARSYNC_ERR_BAD_DOMAIN');
  });

  test('a very long input is refused with the same code', () => {
    expect(codeOf(`https://${'a'.repeat(10_000)}.com/x`)).toBe('JARSYNC_ERR_BAD_DOMAIN');
  });

  const rules: readonly (readonly [input: string, rule: DomainRule])[] = [
    ['*.Example.com', { spec: 'example.com', host: 'example.com', scheme: null, port: null, subdomains: true }],
    ['https://example.com/', { spec: 'https://example.com', host: 'example.com', scheme: 'https', port: null, subdomains: false }],
    ['http://example.com:8080', { spec: 'http://example.com:8080', host: 'example.com', scheme: 'http', port: 8080, subdomains: false }],
    ['192.0.2.1', { spec: '192.0.2.1', host: '192.0.2.1', scheme: null, port: null, subdomains: false }],
    ['[::1]', { spec: '::1', host: '::1', scheme: null, port: null, subdomains: false }],
    ['http://[::1]:8080', { spec: 'http://[::1]:8080', host: '::1', scheme: 'http', port: 8080, subdomains: false }],
    ['https://127.0.0.1', { spec: 'https://127.0.0.1', host: '127.0.0.1', scheme: 'https', port: null, subdomains: false }],
    ['localhost', { spec: 'localhost', host: 'localhost', scheme: null, port: null, subdomains: true }],
    ['bücher.example', { spec: 'xn--bcher-kva.example', host: 'xn--bcher-kva.example', scheme: null, port: null, subdomains: true }],
  ];

  test.each(rules)('%j parses to the full rule', (input, rule) => {
    expect(parseDomainRule(input)).toStrictEqual(rule);
  });

  test('a rule is frozen plain data that survives structured cloning', () => {
    const rule = parseDomainRule('http://[::1]:8080');
    expect(Object.isFrozen(rule)).toBe(true);
    expect(structuredClone(rule)).toStrictEqual(rule);
  });
});
