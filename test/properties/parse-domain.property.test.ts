/**
 * Properties of the domain parser and matcher, over random input:
 * - no input throws anything but a JarsyncError with code JARSYNC_ERR_BAD_DOMAIN;
 * - an accepted rule's `spec` parses back to the same rule (the canonical form is a fixed point);
 * - matching agrees with what the rule's text says: scheme, port, exact host
 *   or host and subdomains, as the README's table puts it;
 * - the compiled matcher of a list agrees with the rules taken one by one.
 *
 * Inputs come both as arbitrary strings (mostly refused) and built from
 * domain-like parts (schemes, wildcards, labels, IP addresses, ports, tails,
 * case, white space), so that many are accepted. Run counts are bounded to
 * keep the file to a few seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDomains, ruleMatches } from '../../src/domains/domain-matcher.ts';
import type { DomainRule } from '../../src/domains/domain-rule.ts';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';
import { JarsyncError } from '../../src/errors.ts';

/** Mostly one of the clean forms, sometimes a noisy one: enough of both accepted and refused input. */
function mostly<T>(clean: readonly T[], noisy: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...clean) }, { weight: 1, arbitrary: fc.constantFrom(...noisy) });
}

const label = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom('www', 'api', 'xn--mnchen-3ya', 'münchen', 'BÜCHER', '_dmarc', '-edge', 'a--b', '0x1f', '123', 'ｅｘａｍｐｌｅ', 'a'.repeat(63), 'b'.repeat(64)) },
);
const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.'));
const octet = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('256', '010', '0x7f', '-1', '') });
const ipv4 = fc.oneof(
  { weight: 4, arbitrary: fc.array(octet, { minLength: 4, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(octet, { minLength: 1, maxLength: 5 }) },
).map((octets) => octets.join('.'));
const ipv6 = fc.oneof({ weight: 4, arbitrary: fc.ipV6() }, { weight: 1, arbitrary: fc.constantFrom('::1', '::ffff:127.0.0.1', 'fe80::1%eth0', '1:2:3', 'gggg::1') });
const host = fc.oneof(
  { weight: 6, arbitrary: name },
  { weight: 2, arbitrary: ipv4 },
  { weight: 1, arbitrary: ipv6.map((address) => `[${address}]`) },
  { weight: 1, arbitrary: ipv6 },
);

/** Domain-like text: many of these are accepted, and the rest are refused for reasons worth testing. */
const domainLike = fc
  .record({
    space: mostly([''], [' ', '\t', ' \n']),
    scheme: mostly(['', 'http://', 'https://', 'HTTPS://'], ['ftp://', 'http:', '//', 'ws://']),
    mark: mostly(['', '', '*.', '.'], ['*', '**.', '*.*.']),
    user: mostly([''], ['user@', 'user:pw@']),
    host,
    port: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 70_000 }).map((port) => `:${port}`) }, { weight: 1, arbitrary: fc.constantFrom(':', ':80', ':443', ':0x50') }),
    dot: mostly(['', '', '.'], ['..']),
    tail: mostly(['', '', '/'], ['/path', '?q=1', '#top', '//']),
  })
  .map(({ space, scheme, mark, user, host: text, port, dot, tail }) => `${space}${scheme}${user}${mark}${text}${dot}${port}${tail}${space}`);

const anyInput = fc.oneof(
  { weight: 3, arbitrary: domainLike },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** Parses, or returns the error; anything thrown that is not a BAD_DOMAIN JarsyncError fails the property. */
function tryParse(input: string): DomainRule | JarsyncError {
  try {
    return parseDomainRule(input);
  } catch (error) {
    if (error instanceof JarsyncError && error.code === 'JARSYNC_ERR_BAD_DOMAIN') return error;
    throw new Error(`parseDomainRule(${JSON.stringify(input)}) threw ${String(error)}`, { cause: error });
  }
}

/** What the spec text itself says, read without the parser: `[scheme://]host[:port][/]`. */
interface SpecReading {
  readonly scheme: 'http' | 'https' | null;
  readonly host: string;
  readonly port: number | null;
  readonly isIp: boolean;
}

function readSpec(spec: string): SpecReading {
  const scheme = /^(https?):\/\/(\[[^\]]+\]|[^:/[\]]+)(?::(\d+))?\/?$/.exec(spec);
  const bare = scheme === null ? spec : (scheme[2] ?? '');
  const hostText = bare.startsWith('[') ? bare.slice(1, -1) : bare;
  return {
    scheme: scheme === null ? null : (scheme[1] as 'http' | 'https'),
    host: hostText,
    port: scheme?.[3] === undefined ? null : Number(scheme[3]),
    isIp: hostText.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(hostText),
  };
}

const RUNS = { numRuns: 3000 };

describe('parseDomainRule, over random input', () => {
  it('throws nothing but JARSYNC_ERR_BAD_DOMAIN', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        tryParse(input);
      }),
      RUNS,
    );
  });

  it('accepts a fair share of the domain-like inputs (so the other properties test something)', () => {
    const accepted = fc.sample(domainLike, { numRuns: 1000, seed: 4 }).filter((input) => !(tryParse(input) instanceof JarsyncError));
    expect(accepted.length).toBeGreaterThan(100);
  });

  it('gives every accepted rule a canonical spec that parses back to the same rule', () => {
    fc.assert(
      fc.property(domainLike, (input) => {
        const rule = tryParse(input);
        if (rule instanceof JarsyncError) return;
        expect(parseDomainRule(rule.spec)).toEqual(rule);
        expect(Object.isFrozen(rule)).toBe(true);
        // Canonical: ASCII, lower case, no white space, and the host is what the spec names.
        expect(rule.spec).toMatch(/^[\x21-\x7e]+$/);
        expect(rule.spec).toBe(rule.spec.toLowerCase());
        const reading = readSpec(rule.spec);
        expect({ host: reading.host, scheme: reading.scheme, port: reading.port }).toEqual({ host: rule.host, scheme: rule.scheme, port: rule.port });
        expect(rule.subdomains).toBe(reading.scheme === null && !reading.isIp);
      }),
      RUNS,
    );
  });

  it('matches what the rule text says, and nothing else', () => {
    const probe = fc.record({
      scheme: fc.constantFrom('http' as const, 'https' as const),
      prefix: fc.constantFrom('', '', 'a.', 'b.a.', 'x', 'x-', '.'),
      suffix: fc.constantFrom('', '', '.', '.evil.test', 'x'),
      port: fc.constantFrom(80, 443, 8080, 1234),
    });
    fc.assert(
      fc.property(domainLike, probe, (input, { scheme, prefix, suffix, port }) => {
        const rule = tryParse(input);
        if (rule instanceof JarsyncError) return;
        const reading = readSpec(rule.spec);
        const probed = `${prefix}${rule.host}${suffix}`;
        for (const probePort of [port, rule.port ?? port]) {
          const sameHost = probed === rule.host || probed === `${rule.host}.`;
          // RFC 6265 section 5.1.3's domain-match: the host ends with the domain and a "." comes just before it.
          const underHost = prefix.endsWith('.') && (suffix === '' || suffix === '.');
          const expected =
            (reading.scheme === null || reading.scheme === scheme) &&
            (reading.port === null || reading.port === probePort) &&
            (sameHost || (underHost && reading.scheme === null && !reading.isIp));
          expect(ruleMatches(rule, scheme, probed, probePort), `${rule.spec} vs ${scheme}://${probed}:${probePort}`).toBe(expected);
          expect(compileDomains([rule]).match(scheme, probed, probePort) === rule).toBe(expected);
        }
      }),
      RUNS,
    );
  });

  it('compiles a list whose matcher agrees with its rules taken one by one', () => {
    const rules = fc.array(domainLike, { maxLength: 8 }).map((inputs) => inputs.map(tryParse).filter((rule): rule is DomainRule => !(rule instanceof JarsyncError)));
    const request = fc.record({
      scheme: fc.constantFrom('http' as const, 'https' as const),
      host: fc.oneof(name.map((text) => text.toLowerCase()), fc.constantFrom('127.0.0.1', '::1', 'example.com', 'www.example.com')),
      port: fc.constantFrom(80, 443, 8080),
    });
    fc.assert(
      fc.property(rules, fc.array(request, { minLength: 1, maxLength: 10 }), (list, requests) => {
        const matcher = compileDomains(list);
        for (const { scheme, host: requestHost, port } of requests) {
          // Probe the rules' own hosts and their subdomains too, not only random names.
          for (const probed of [requestHost, ...list.map((rule) => rule.host), ...list.map((rule) => `m.${rule.host}`)]) {
            const found = matcher.match(scheme, probed, port);
            const any = list.some((rule) => ruleMatches(rule, scheme, probed, port));
            expect(found !== undefined, `${scheme}://${probed}:${port}`).toBe(any);
            if (found !== undefined) expect(ruleMatches(found, scheme, probed, port)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
