import { describe, expect, it } from 'vitest';
import { maskCookieHeader, maskSetCookieLine } from '../../src/actors/mask-cookie-values.ts';

describe('maskSetCookieLine', () => {
  it.each([
    ['sid=abc123; Path=/; Secure', 'sid=***; Path=/; Secure'],
    ['sid=abc123', 'sid=***'],
    ['sid=a=b=c; Domain=example.com', 'sid=***; Domain=example.com'],
    ['sid=; Max-Age=0', 'sid=; Max-Age=0'],
    ['sid=   ; Path=/', 'sid=   ; Path=/'],
    ['valueonly; Path=/', '***; Path=/'],
    ['  valueonly  ; Path=/', '  ***  ; Path=/'],
    ['=nameless', '=***'],
    ['', ''],
    ['; Path=/', '; Path=/'],
  ])('%j → %j', (line, masked) => {
    expect(maskSetCookieLine(line)).toBe(masked);
  });
});

describe('maskCookieHeader', () => {
  it.each([
    ['a=1; b=2', 'a=***; b=***'],
    ['a=1;b=2;', 'a=***;b=***;'],
    ['token=leaked; orphan; theme=', 'token=***; ***; theme='],
    ['', ''],
  ])('%j → %j', (header, masked) => {
    expect(maskCookieHeader(header)).toBe(masked);
  });
});
