import { describe, expect, it } from 'vitest';
import { createBearerCheck } from '../../src/supervisor/admin-auth.ts';

const TOKEN = 'q3Zr0yG6b9mV2cXkT1pLwE8sHnA4uJ7dF5oRiK0tY2M';
const check = createBearerCheck(TOKEN);

describe('createBearerCheck', () => {
  it.each([
    ['Bearer <token>', `Bearer ${TOKEN}`],
    ['a lower-case scheme', `bearer ${TOKEN}`],
    ['an upper-case scheme', `BEARER ${TOKEN}`],
    ['several spaces and a trailing one', `Bearer   ${TOKEN} `],
  ])('accepts %s', (_name, header) => {
    expect(check(header)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['the token alone', TOKEN],
    ['another scheme', `Basic ${TOKEN}`],
    ['an empty bearer', 'Bearer '],
    ['a wrong token of the same length', `Bearer ${TOKEN.slice(0, -1)}N`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 10)}`],
    ['the token and more', `Bearer ${TOKEN}x`],
    ['a very long token', `Bearer ${'A'.repeat(100_000)}`],
    ['the token twice', `Bearer ${TOKEN} ${TOKEN}`],
    ['a token in another case', `Bearer ${TOKEN.toLowerCase()}`],
    ['non-ASCII', `Bearer ${TOKEN}é`],
  ])('refuses %s, without throwing', (_name, header) => {
    expect(() => check(header)).not.toThrow();
    expect(check(header)).toBe(false);
  });
});
