/** The domain filter for browser cookies: would the browser send the cookie to a synced host? */
import { describe, expect, it } from 'vitest';
import type { BrowserCookieChange } from '../../src/browser-cookie.ts';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';
import { syncsBrowserCookie } from '../../src/interceptor/browser-cookie-filter.ts';

const rules = (...specs: string[]) => specs.map((spec) => parseDomainRule(spec));

function set(domain: string, hostOnly: boolean, secure = false): BrowserCookieChange {
  return { kind: 'set', cookie: { domain, hostOnly, path: '/', name: 'n', value: 'v', httpOnly: false, secure, session: true }, at: 0 };
}

describe('syncsBrowserCookie', () => {
  it.each([
    // [rules, domain, hostOnly, secure, synced]
    [['example.com'], 'example.com', true, false, true],
    [['example.com'], 'www.example.com', true, false, true],
    [['example.com'], '.example.com', false, false, true],
    [['example.com'], '.sub.example.com', false, false, true],
    [['example.com'], 'example.org', true, false, false],
    [['example.com'], 'notexample.com', true, false, false],
    // A domain cookie of a parent goes to the synced host too; a host-only one of the parent does not.
    [['www.example.com'], '.example.com', false, false, true],
    [['www.example.com'], 'example.com', true, false, false],
    // Exact-host rules: no subdomains; any port; Secure cookies never to a plain-http rule.
    [['https://shop.test'], 'shop.test', true, true, true],
    [['https://shop.test'], 'a.shop.test', true, false, false],
    [['http://shop.test:8080'], 'shop.test', true, false, true],
    [['http://shop.test:8080'], 'shop.test', true, true, false],
    [['127.0.0.1'], '127.0.0.1', true, false, true],
    [[], 'example.com', true, false, false],
  ] as const)('%j syncs %s (host-only %s, Secure %s): %s', (specs, domain, hostOnly, secure, synced) => {
    expect(syncsBrowserCookie(rules(...specs), set(domain, hostOnly, secure))).toBe(synced);
  });

  it('keeps a removal when any form of the cookie would be synced', () => {
    const removal: BrowserCookieChange = { kind: 'remove', cookie: { domain: '.example.com', path: '/', name: 'n' }, at: 0 };
    expect(syncsBrowserCookie(rules('www.example.com'), removal)).toBe(true);
    expect(syncsBrowserCookie(rules('example.org'), removal)).toBe(false);
  });
});
