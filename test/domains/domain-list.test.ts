import { describe, expect, test } from 'vitest';
import { DomainList } from '../../src/domains/domain-list.ts';
import { JarsyncError, type ErrorCode } from '../../src/errors.ts';

function codeOf(run: () => unknown): ErrorCode | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(JarsyncError);
    return (error as JarsyncError).code;
  }
}

const specs = (list: DomainList): string[] => list.list().map((rule) => rule.spec);

describe('DomainList', () => {
  test('starts empty, or with the inputs given', () => {
    expect(specs(new DomainList())).toStrictEqual([]);
    expect(specs(new DomainList(['Example.com', 'https://shop.test:8443/', '*.example.com']))).toStrictEqual([
      'example.com',
      'https://shop.test:8443',
    ]);
  });

  test('a bad initial input refuses the whole list', () => {
    expect(codeOf(() => new DomainList(['example.com', 'ftp://example.com']))).toBe('JARSYNC_ERR_BAD_DOMAIN');
  });

  /** inputs added in order → what each add reports, and the list after */
  const adds: readonly (readonly [inputs: readonly string[], added: readonly boolean[], list: readonly string[]])[] = [
    [['example.com'], [true], ['example.com']],
    [['example.com', 'EXAMPLE.com.'], [true, false], ['example.com']],
    [['example.com', '*.example.com', '.example.com'], [true, false, false], ['example.com']],
    [['example.com', 'https://example.com'], [true, true], ['example.com', 'https://example.com']],
    [['https://example.com', 'HTTPS://example.com/'], [true, false], ['https://example.com']],
    [['https://example.com', 'https://example.com:443'], [true, true], ['https://example.com', 'https://example.com:443']],
    [['::1', '[::1]', '0:0:0:0:0:0:0:1'], [true, false, false], ['::1']],
    [['bücher.example', 'xn--bcher-kva.example'], [true, false], ['xn--bcher-kva.example']],
    [['b.test', 'a.test', 'c.test'], [true, true, true], ['b.test', 'a.test', 'c.test']],
  ];

  test.each(adds)('add %j → added %j, list %j', (inputs, added, list) => {
    const domains = new DomainList();
    expect(inputs.map((input) => domains.add(input).added)).toStrictEqual(added);
    expect(specs(domains)).toStrictEqual(list);
    expect(domains.size).toBe(list.length);
  });

  test('add returns the rule already in the list when the spec is there', () => {
    const domains = new DomainList();
    const first = domains.add('example.com');
    const second = domains.add('*.Example.COM');
    expect(second.rule).toBe(first.rule);
  });

  test('add refuses a bad input and leaves the list as it was', () => {
    const domains = new DomainList(['example.com']);
    const before = domains.list();
    expect(codeOf(() => domains.add('example.com/path'))).toBe('JARSYNC_ERR_BAD_DOMAIN');
    expect(domains.list()).toBe(before);
  });

  /** list, input to remove → removed?, list after */
  const removes: readonly (readonly [list: readonly string[], input: string, removed: boolean, after: readonly string[]])[] = [
    [['example.com'], 'example.com', true, []],
    [['example.com'], '*.Example.com.', true, []],
    [['example.com'], '.example.com', true, []],
    [['example.com', 'https://example.com'], 'HTTPS://example.com/', true, ['example.com']],
    [['https://example.com'], 'example.com', false, ['https://example.com']],
    [['https://example.com:443'], 'https://example.com', false, ['https://example.com:443']],
    [['example.com'], 'www.example.com', false, ['example.com']],
    [['::1'], '[0:0::1]', true, []],
    [['xn--bcher-kva.example'], 'BÜCHER.example', true, []],
    [[], 'example.com', false, []],
    [['a.test', 'b.test', 'c.test'], 'b.test', true, ['a.test', 'c.test']],
  ];

  test.each(removes)('%j: remove %j → %s, list %j', (list, input, removed, after) => {
    const domains = new DomainList(list);
    expect(domains.remove(input)).toBe(removed);
    expect(specs(domains)).toStrictEqual(after);
  });

  test('remove and has refuse a bad input rather than report it missing', () => {
    const domains = new DomainList(['example.com']);
    expect(codeOf(() => domains.remove('https://example.com/path'))).toBe('JARSYNC_ERR_BAD_DOMAIN');
    expect(codeOf(() => domains.has('example.com:80'))).toBe('JARSYNC_ERR_BAD_DOMAIN');
    expect(specs(domains)).toStrictEqual(['example.com']);
  });

  test('has accepts any spelling of a listed domain', () => {
    const domains = new DomainList(['example.com']);
    expect(domains.has('*.EXAMPLE.com.')).toBe(true);
    expect(domains.has('https://example.com')).toBe(false);
  });

  test('list() is a frozen snapshot, the same array until the list changes', () => {
    const domains = new DomainList(['example.com']);
    const first = domains.list();
    expect(Object.isFrozen(first)).toBe(true);
    expect(domains.list()).toBe(first);
    domains.add('example.com');
    domains.remove('other.test');
    expect(domains.list()).toBe(first);
    domains.add('other.test');
    const second = domains.list();
    expect(second).not.toBe(first);
    expect(first.map((rule) => rule.spec)).toStrictEqual(['example.com']);
    domains.remove('other.test');
    expect(domains.list()).not.toBe(second);
  });

  test('matcher() is cached until the list changes, then follows it', () => {
    const domains = new DomainList(['example.com']);
    const first = domains.matcher();
    expect(domains.matcher()).toBe(first);
    expect(first.match('https', 'www.example.com', 443)?.spec).toBe('example.com');

    domains.add('*.example.com');
    domains.remove('https://example.com');
    expect(domains.matcher()).toBe(first);

    domains.add('https://shop.test');
    const second = domains.matcher();
    expect(second).not.toBe(first);
    expect(second.match('https', 'shop.test', 443)?.spec).toBe('https://shop.test');
    expect(first.match('https', 'shop.test', 443)).toBeUndefined();

    domains.remove('example.com');
    const third = domains.matcher();
    expect(third.match('https', 'www.example.com', 443)).toBeUndefined();
    expect(third.rules).toBe(domains.list());
  });

  test('an empty list has an empty matcher', () => {
    const domains = new DomainList(['example.com']);
    domains.remove('example.com');
    expect(domains.matcher().isEmpty).toBe(true);
    expect(domains.size).toBe(0);
  });
});
