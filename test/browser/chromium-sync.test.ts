/**
 * Chromium browses through the proxy, with the jarsync CA (and the origins'
 * test CA, for blind tunnels) trusted in its NSS store; afterwards the jar
 * holds, for the synced host, exactly the cookies Chromium holds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Cookie } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerializedCookie } from '../../src/actors/cookie-change.ts';
import type { Origin } from '../helpers/origin.ts';
import { startOrigin } from '../helpers/origin.ts';
import type { RunningSupervisor } from '../helpers/supervisor.ts';
import { ORIGIN_CA_FILE, startSupervisor, tempDir } from '../helpers/supervisor.ts';

const CHROMIUM = '/usr/bin/chromium';

let secure: Origin;
let plain: Origin;
let proxy: RunningSupervisor;
let home: string;
let browser: Browser;
let context: BrowserContext;

const PAGE = '<!doctype html><title>page</title><body>page</body>';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  secure = await startOrigin(
    (req, res) => {
      const host = (req.headers.host ?? '').split(':')[0] ?? '';
      const url = req.url ?? '/';
      if (host.startsWith('blog.')) {
        res.setHeader('set-cookie', ['blogger=1; Max-Age=600']);
      } else if (url === '/set') {
        res.setHeader('set-cookie', [
          'sid=s-1; Path=/; Secure; HttpOnly; SameSite=Lax',
          'theme=dark; Max-Age=3600; Path=/',
          'cart=3; Path=/shop; SameSite=Strict',
          'cross=x; Secure; SameSite=None; Path=/',
          'gone=soon; Path=/',
        ]);
      } else if (url === '/update') {
        res.setHeader('set-cookie', ['theme=light; Max-Age=7200; Path=/', 'gone=; Max-Age=0; Path=/']);
      } else if (url === '/script') {
        res.setHeader('content-type', 'text/html');
        // A cookie set by page script reaches the proxy only in later requests' Cookie header.
        res.end(`<!doctype html><script>document.cookie = 'js=by-script; path=/';</script><img src="/pixel">`);
        return;
      }
      res.setHeader('content-type', 'text/html');
      res.end(PAGE);
    },
    { tls: true },
  );
  plain = await startOrigin((req, res) => {
    res.setHeader('set-cookie', ['plain=1; Path=/']);
    res.setHeader('content-type', 'text/html');
    res.end(PAGE);
  });
  proxy = await startSupervisor({ domains: ['shop.origin.test'], workers: 2 });

  home = await tempDir('jarsync-chromium-');
  const nssdb = path.join(home, '.pki', 'nssdb');
  await mkdir(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'jarsync', '-i', proxy.addresses.caCertPath]);
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'origin-tests', '-i', ORIGIN_CA_FILE]);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: home },
    proxy: { server: proxy.proxyUrl },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext();
}, 60_000);

afterAll(async () => {
  await browser.close();
  await proxy.stop();
  await secure.close();
  await plain.close();
  await rm(home, { recursive: true, force: true });
});

/** The jar's view in Chromium's terms, for one comparison. */
function asChromium(cookie: SerializedCookie): Record<string, unknown> {
  const expires = cookie.expires === undefined || cookie.expires === 'Infinity' ? -1 : Math.round(Date.parse(cookie.expires) / 1000);
  return {
    name: cookie.key,
    value: cookie.value,
    domain: cookie.hostOnly === false ? `.${cookie.domain ?? ''}` : cookie.domain,
    path: cookie.path,
    expires,
    httpOnly: cookie.httpOnly === true,
    secure: cookie.secure === true,
    // Chromium treats a cookie without SameSite as Lax.
    sameSite: cookie.sameSite === undefined || cookie.sameSite === 'none' && cookie.secure !== true ? 'Lax' : cookie.sameSite.charAt(0).toUpperCase() + cookie.sameSite.slice(1),
  };
}

function chromiumView(cookie: Cookie): Record<string, unknown> {
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    expires: cookie.expires === -1 ? -1 : Math.round(cookie.expires),
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
  };
}

const byName = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a['name']).localeCompare(String(b['name']));

describe('Chromium through the proxy', () => {
  it('ends up holding, for the synced host, exactly the cookies the jar holds', async () => {
    const page = await context.newPage();
    const shop = `https://shop.origin.test:${secure.port}`;
    await page.goto(`${shop}/set`);
    await page.goto(`${shop}/update`);
    await page.goto(`${shop}/script`);
    await page.waitForLoadState('networkidle');
    await page.goto(`${shop}/shop/cart`);
    await page.goto(`http://shop.origin.test:${plain.port}/plain`);
    await page.goto(`https://blog.origin.test:${secure.port}/`);

    // Every cookie Chromium holds for the synced host, however it got there.
    const held = (await context.cookies()).filter((c) => c.domain === 'shop.origin.test' || c.domain === '.shop.origin.test');
    expect(held.map((c) => c.name).sort()).toEqual(['cart', 'cross', 'js', 'plain', 'sid', 'theme']);

    let jar: SerializedCookie[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      jar = await proxy.supervisor.cookies({ domain: 'shop.origin.test' });
      if (jar.length === held.length) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const expected = held.map(chromiumView).sort(byName);
    const actual = jar.map(asChromium).sort(byName);
    // Expiry times are computed by each side from the moment it saw the header.
    for (const [index, cookie] of actual.entries()) {
      const want = expected[index];
      if (want !== undefined && typeof cookie['expires'] === 'number' && typeof want['expires'] === 'number' && cookie['expires'] !== -1) {
        expect(Math.abs(cookie['expires'] - want['expires'])).toBeLessThanOrEqual(2);
        cookie['expires'] = want['expires'];
      }
    }
    expect(actual).toEqual(expected);

    // The host that is not synced was visited, and nothing of it is in the jar.
    expect((await context.cookies()).some((c) => c.name === 'blogger')).toBe(true);
    expect(await proxy.supervisor.cookies({ domain: 'blog.origin.test' })).toEqual([]);
    await page.close();
  });
});
