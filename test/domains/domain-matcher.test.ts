import { describe, expect, test } from 'vitest';
import { compileDomains, hostMatchesDomain, ruleMatches } from '../../src/domains/domain-matcher.ts';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';

type Scheme = 'http' | 'https';

const EXAMPLE = ['example.com'];
const EXACT = ['https://example.com', 'http://example.com:8080'];
const MIXED = ['example.com', 'https://www.example.com', 'https://www.example.com:8443', 'a.www.example.com'];
const IPS = ['127.0.0.1', '::1', 'http://[::1]:8080', 'https://192.0.2.1'];
/** `kab.test` and `-cb.test` hash alike in the matcher (k + 31·a = - + 31·c): a hit must be confirmed. */
const COLLIDING = ['kab.test'];

/** rules, scheme, host, port → the spec of the rule that matches, or null */
const cases: readonly (readonly [rules: readonly string[], scheme: Scheme, host: string, port: number, spec: string | null])[] = [
  // a bare name: the host and every subdomain, any scheme and port
  [EXAMPLE, 'https', 'example.com', 443, 'example.com'],
  [EXAMPLE, 'http', 'example.com', 80, 'example.com'],
  [EXAMPLE, 'http', 'example.com', 8080, 'example.com'],
  [EXAMPLE, 'https', 'www.example.com', 443, 'example.com'],
  [EXAMPLE, 'https', 'a.b.c.example.com', 443, 'example.com'],
  [EXAMPLE, 'https', 'example.com.', 443, 'example.com'],
  [EXAMPLE, 'https', 'www.example.com.', 443, 'example.com'],
  [EXAMPLE, 'https', 'notexample.com', 443, null],
  [EXAMPLE, 'https', 'example.com.evil.net', 443, null],
  [EXAMPLE, 'https', 'www.example.com.evil.net', 443, null],
  [EXAMPLE, 'https', 'example.co', 443, null],
  [EXAMPLE, 'https', 'xample.com', 443, null],
  [EXAMPLE, 'https', 'com', 443, null],
  [EXAMPLE, 'https', '.example.com', 443, 'example.com'],
  [EXAMPLE, 'https', 'example.com..', 443, null],
  [EXAMPLE, 'https', '', 443, null],
  [EXAMPLE, 'https', '.', 443, null],
  [['localhost'], 'http', 'localhost', 3000, 'localhost'],
  [['localhost'], 'http', 'app.localhost', 3000, 'localhost'],
  [['xn--bcher-kva.example'], 'https', 'shop.xn--bcher-kva.example', 443, 'xn--bcher-kva.example'],
  // scheme forms: that host only, that scheme, and the port when given
  [EXACT, 'https', 'example.com', 443, 'https://example.com'],
  [EXACT, 'https', 'example.com', 8443, 'https://example.com'],
  [EXACT, 'http', 'example.com', 80, null],
  [EXACT, 'http', 'example.com', 8080, 'http://example.com:8080'],
  [EXACT, 'https', 'example.com', 8080, 'https://example.com'],
  [EXACT, 'https', 'www.example.com', 443, null],
  [EXACT, 'https', 'example.com.', 443, 'https://example.com'],
  [['https://example.com:443'], 'https', 'example.com', 443, 'https://example.com:443'],
  [['https://example.com:443'], 'https', 'example.com', 8443, null],
  [['https://example.com:443'], 'http', 'example.com', 443, null],
  // the most specific rule wins: own host over a parent, port over scheme over neither
  [MIXED, 'https', 'www.example.com', 8443, 'https://www.example.com:8443'],
  [MIXED, 'https', 'www.example.com', 443, 'https://www.example.com'],
  [MIXED, 'http', 'www.example.com', 80, 'example.com'],
  [MIXED, 'https', 'a.www.example.com', 443, 'a.www.example.com'],
  [MIXED, 'https', 'b.a.www.example.com', 443, 'a.www.example.com'],
  [MIXED, 'https', 'b.www.example.com', 443, 'example.com'],
  [MIXED, 'https', 'example.com', 443, 'example.com'],
  [[...MIXED].reverse(), 'https', 'www.example.com', 8443, 'https://www.example.com:8443'],
  [['https://example.com', 'example.com'], 'https', 'example.com', 443, 'https://example.com'],
  [['example.com', 'https://example.com'], 'https', 'example.com', 443, 'https://example.com'],
  [['com', 'example.com'], 'https', 'www.example.com', 443, 'example.com'],
  [['com', 'example.com'], 'https', 'www.example.org.com', 443, 'com'],
  // IP addresses: exact hosts, never subdomains
  [IPS, 'http', '127.0.0.1', 80, '127.0.0.1'],
  [IPS, 'https', '127.0.0.1', 8443, '127.0.0.1'],
  [IPS, 'http', '1.127.0.0.1', 80, null],
  [IPS, 'http', '127.0.0.10', 80, null],
  [IPS, 'http', '27.0.0.1', 80, null],
  [IPS, 'http', '::1', 8080, 'http://[::1]:8080'],
  [IPS, 'https', '::1', 443, '::1'],
  [IPS, 'http', '::11', 80, null],
  [IPS, 'http', 'x.::1', 80, null],
  [IPS, 'https', '192.0.2.1', 443, 'https://192.0.2.1'],
  [IPS, 'http', '192.0.2.1', 80, null],
  [IPS, 'https', 'a.192.0.2.1', 443, null],
  [['10.0.0.1'], 'http', '110.0.0.1', 80, null],
  // hash collisions are confirmed against the host itself
  [COLLIDING, 'https', 'kab.test', 443, 'kab.test'],
  [COLLIDING, 'https', '-cb.test', 443, null],
  [COLLIDING, 'https', 'x.-cb.test', 443, null],
  [['kab.test', '-cb.test'], 'https', 'x.-cb.test', 443, '-cb.test'],
  [['kab.test', '-cb.test'], 'https', 'x.kab.test', 443, 'kab.test'],
  // nothing to match
  [[], 'https', 'example.com', 443, null],
  [[], 'http', '127.0.0.1', 80, null],
];

describe('compileDomains', () => {
  test.each(cases)('%j: %s://%s:%d → %s', (inputs, scheme, host, port, spec) => {
    const matcher = compileDomains(inputs.map(parseDomainRule));
    expect(matcher.match(scheme, host, port)?.spec ?? null).toBe(spec);
  });

  test.each([
    [[], true],
    [['example.com'], false],
  ] as const)('%j: isEmpty is %s', (inputs, empty) => {
    expect(compileDomains(inputs.map(parseDomainRule)).isEmpty).toBe(empty);
  });

  test('rules keeps the rules in the order given', () => {
    const rules = MIXED.map(parseDomainRule);
    expect(compileDomains(rules).rules).toStrictEqual(rules);
  });

  // The compiled matcher must agree with ruleMatches, the one-rule definition:
  // it matches when some rule does, and what it returns is such a rule.
  const grid = {
    rules: [...MIXED, ...EXACT, ...IPS, 'https://example.com:443', 'localhost', 'http://localhost:3000', ...COLLIDING, '-cb.test'],
    hosts: [
      'example.com', 'www.example.com', 'a.www.example.com', 'x.a.www.example.com', 'notexample.com', 'example.com.evil.net',
      'example.com.', 'localhost', 'a.localhost', '127.0.0.1', '1.127.0.0.1', '::1', '192.0.2.1', 'kab.test', '-cb.test',
      'q.kab.test', 'q.-cb.test', 'test', '',
    ],
    schemes: ['http', 'https'] as const,
    ports: [80, 443, 3000, 8080, 8443],
  };
  test('agrees with ruleMatches for every prefix of the rule list, on every host, scheme and port of the grid', () => {
    for (let size = 0; size <= grid.rules.length; size++) {
      const rules = grid.rules.slice(0, size).map(parseDomainRule);
      const matcher = compileDomains(rules);
      for (const host of grid.hosts) {
        for (const scheme of grid.schemes) {
          for (const port of grid.ports) {
            const found = matcher.match(scheme, host, port);
            const expected = rules.some((rule) => ruleMatches(rule, scheme, host, port));
            expect({ host, scheme, port, size, matched: found !== undefined }).toStrictEqual({ host, scheme, port, size, matched: expected });
            if (found !== undefined) expect(ruleMatches(found, scheme, host, port)).toBe(true);
          }
        }
      }
    }
  });
});

/** host, domain → RFC 6265 domain-match */
const domainMatches: readonly (readonly [host: string, domain: string, matches: boolean])[] = [
  ['example.com', 'example.com', true],
  ['www.example.com', 'example.com', true],
  ['a.b.example.com', 'example.com', true],
  ['www.example.com.', 'example.com', true],
  ['example.com.', 'example.com', true],
  ['notexample.com', 'example.com', false],
  ['example.com.evil.net', 'example.com', false],
  ['example.com', 'www.example.com', false],
  ['com', 'example.com', false],
  ['.example.com', 'example.com', true],
  ['127.0.0.1', '127.0.0.1', true],
  ['127.0.0.1', '0.0.1', false],
  ['1.127.0.0.1', '127.0.0.1', false],
  ['::1', '::1', true],
  ['2001:db8::1', '1', false],
  ['a.b', 'b', true],
  ['a1.b2', 'b2', true],
];

describe('hostMatchesDomain', () => {
  test.each(domainMatches)('%j domain-matches %j: %s', (host, domain, matches) => {
    expect(hostMatchesDomain(host, domain)).toBe(matches);
  });
});
