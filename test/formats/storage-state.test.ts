/** Playwright's storageState from the jar's cookies: Playwright's own conventions, table-driven. */
import { describe, expect, it } from 'vitest';
import type { SerializedCookie } from '../../src/actors/cookie-change.ts';
import { EXPORT_FORMATS, exportCookies } from '../../src/formats/export-format.ts';
import { toStorageState } from '../../src/formats/storage-state.ts';

const base: SerializedCookie = { key: 'sid', value: 'v', domain: 'example.com', path: '/', hostOnly: true };

describe('toStorageState', () => {
  it.each<[string, Partial<SerializedCookie>, Record<string, unknown>]>([
    ['a host-only session cookie', {}, { domain: 'example.com', expires: -1, httpOnly: false, secure: false, sameSite: 'Lax' }],
    ['a domain cookie gets a leading dot', { hostOnly: false }, { domain: '.example.com' }],
    ['expiry in whole seconds, rounded down', { expires: '2030-01-01T00:00:00.999Z' }, { expires: Date.UTC(2030, 0, 1) / 1000 }],
    ['an expiry before 1970 stays expired, not a session cookie', { expires: '1960-01-01T00:00:00.000Z' }, { expires: 1 }],
    ['Infinity is a session cookie', { expires: 'Infinity' }, { expires: -1 }],
    ['SameSite in Playwright spelling', { sameSite: 'strict', secure: true, httpOnly: true }, { sameSite: 'Strict', secure: true, httpOnly: true }],
    ['SameSite=None', { sameSite: 'none', secure: true }, { sameSite: 'None' }],
    ['a path kept', { path: '/shop' }, { path: '/shop' }],
  ])('%s', (_name, cookie, expected) => {
    const state = toStorageState([{ ...base, ...cookie }]);
    expect(state.origins).toEqual([]);
    expect(state.cookies[0]).toMatchObject({ name: 'sid', value: 'v', ...expected });
  });

  it('leaves out a cookie without a domain', () => {
    expect(toStorageState([{ key: 'x', value: '1' }]).cookies).toEqual([]);
  });
});

describe('exportCookies', () => {
  it.each(EXPORT_FORMATS)('%s ends with a newline and names its file', (format) => {
    const exported = exportCookies(format, [base]);
    expect(exported.text.endsWith('\n')).toBe(true);
    expect(exported.fileName).toMatch(/^[a-z-]+\.(txt|json)$/);
  });
});
