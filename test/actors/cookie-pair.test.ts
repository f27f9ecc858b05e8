import { Cookie } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { parseCookiePair, parseCookiePairAt, pushCookiePair } from '../../src/actors/cookie-pair.ts';

/** Pairs with every rule in play: whitespace of each kind, control characters, terminators, odd "=" placements. */
const PAIRS = [
  'a=1',
  ' a = 1 ',
  'a=',
  'a==',
  'a=b=c',
  '=1',
  ' =1',
  '=',
  'novalue',
  '',
  '   ',
  'a="quoted value"',
  '\ta=1\t',
  'a=tab\tinside',
  'a\tb=1',
  'a=1\r\nb=2',
  'a=1\nignored',
  'a=1\0rest',
  '\na=1',
  'a=\u0001',
  '\u00a0a=1\u00a0',
  '\ufeffa=1',
  '\u3000a\u3000=\u30001',
  'a=\u0085',
  'thème=☃ snow',
  'a=\u007f',
  '\u000ba=1\u000c',
];

describe('parseCookiePair', () => {
  it.each(PAIRS.map((pair) => [JSON.stringify(pair), pair] as const))('reads %s as Cookie.parse does in strict mode', (_label, pair) => {
    const parsed = Cookie.parse(pair, { loose: false });
    const expected = parsed === undefined ? undefined : { name: parsed.key, value: parsed.value };
    expect(parseCookiePair(pair)).toEqual(expected);
  });

  it('reads a pair where it lies in a header, and appends pairs to parallel arrays', () => {
    const header = 'a=1; b = two ;c=3';
    expect(parseCookiePairAt(header, 4, 13)).toEqual({ name: 'b', value: 'two' });
    const names: string[] = [];
    const values: string[] = [];
    expect(pushCookiePair(header, 0, 3, names, values)).toBe(true);
    expect(pushCookiePair(header, 14, header.length, names, values)).toBe(true);
    expect(pushCookiePair('novalue', 0, 7, names, values)).toBe(false);
    expect([names, values]).toEqual([
      ['a', 'c'],
      ['1', '3'],
    ]);
  });
});
