/**
 * The dashboard in headless Chromium, as a person uses it: opened with the
 * link `jarsync start` prints, a domain added (and a bad one refused by the
 * field), syncing started, a request sent through the proxy with curl, the
 * cookie seen arriving live, revealed, exported and deleted; a wrong token
 * refused; both main tabs worked by keyboard alone; every control named for
 * assistive technology. A screenshot of each view goes to test-artifacts/.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl } from '../helpers/curl.ts';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startSupervisor, type RunningSupervisor } from '../helpers/supervisor.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let origin: Origin;
let jarsync: RunningSupervisor;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
let token: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  origin = await startOrigin((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/login') {
      // One cookie the jar takes, and one for a foreign domain it refuses.
      res.setHeader('set-cookie', ['session=abc123; Path=/; HttpOnly', 'stray=1; Domain=example.com; Path=/']);
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
  // Syncing stopped and no domains: the test sets both up from the page.
  jarsync = await startSupervisor({ adminPort: 0, syncing: false });
  const admin = jarsync.addresses.admin;
  if (admin === null) throw new Error('no admin API');
  base = `http://127.0.0.1:${admin.port}`;
  token = (await readFile(jarsync.addresses.adminTokenPath, 'utf8')).trim();
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await browser.close();
  await jarsync.stop();
  await origin.close();
});

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}dashboard-${name}.png`, fullPage: true });
}

/** The accessible names the page exposes, as Playwright's ARIA snapshot shows them; controls without one are listed. */
async function unnamedControls(): Promise<string[]> {
  const snapshot = await page.locator('body').ariaSnapshot();
  return snapshot
    .split('\n')
    .filter((line) => /^\s*- (button|link|textbox|searchbox|checkbox|switch|combobox|spinbutton|tab|img)\b/.test(line))
    .filter((line) => !/^\s*- \w+ "[^"]+"/.test(line));
}

function panel(id: string) {
  return page.locator(`#${id}`);
}

describe('the dashboard', () => {
  it('refuses a wrong token, and shows how to open it', async () => {
    const response = await page.goto(`${base}/?token=not-the-token`);
    expect(response?.status()).toBe(401);
    await page.getByText('That link carries a wrong token').waitFor();
    expect(await context.cookies(base)).toEqual([]);
    await screenshot('signed-out');
  });

  it('trades the token for an HttpOnly session cookie and drops it from the address', async () => {
    await page.goto(`${base}/?token=${encodeURIComponent(token)}`);
    await page.getByRole('tab', { name: 'Sync Cookies' }).waitFor();
    expect(page.url()).toBe(`${base}/#sync`);
    const cookies = await context.cookies(base);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: `jarsync_session_${new URL(base).port}`, httpOnly: true, sameSite: 'Strict', path: '/' });
    // Nothing on the page can read it.
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    await page.locator('#top-state', { hasText: 'Not syncing' }).waitFor();
  });

  it('Sync Cookies: locks the port while the proxy is on, adds a domain (a bad one refused inline), starts syncing', async () => {
    const port = page.getByLabel('Proxy port');
    const enabled = page.getByRole('switch', { name: 'Proxy enabled' });
    expect(await enabled.isChecked()).toBe(true);
    expect(await port.isDisabled()).toBe(true);
    await enabled.uncheck();
    await page.locator('#proxy-port:enabled').waitFor();
    expect(jarsync.supervisor.proxyState().enabled).toBe(false);
    await enabled.check();
    await page.locator('#proxy-port:disabled').waitFor();
    expect(jarsync.supervisor.proxyState()).toMatchObject({ enabled: true, port: jarsync.addresses.proxy.port });

    const domain = page.getByLabel('Domain to sync');
    await domain.fill('not a domain');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const error = page.locator('#domain-error');
    await error.filter({ hasText: /not a domain/ }).waitFor();
    expect(await domain.getAttribute('aria-invalid')).toBe('true');
    expect(jarsync.supervisor.domains()).toEqual([]);

    await domain.fill('shop.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('button', { name: 'Remove domain shop.test' }).waitFor();
    expect(await error.textContent()).toBe('');
    expect(await domain.getAttribute('aria-invalid')).toBe('false');
    expect(jarsync.supervisor.domains().map((rule) => rule.spec)).toEqual(['shop.test']);

    await page.getByRole('button', { name: 'Start syncing' }).click();
    await page.getByRole('button', { name: 'Stop syncing' }).waitFor();
    expect(jarsync.supervisor.syncing).toBe(true);
    await page.locator('#top-state', { hasText: 'Syncing · 1 domain' }).waitFor();
  });

  it('Live: a cookie set through the proxy appears within a second, its value masked', async () => {
    await page.getByRole('tab', { name: 'Live' }).click();
    const row = page.locator('#live-rows tr[data-type="added"]', { hasText: 'session' });
    const result = await curl(['-x', jarsync.proxyUrl, `http://app.shop.test:${origin.port}/login`]);
    expect(result.code).toBe(0);
    const sent = performance.now();
    await row.waitFor({ timeout: 1_000 });
    const latency = performance.now() - sent;
    expect(latency).toBeLessThan(1_000);
    expect(await row.textContent()).toContain('app.shop.test');
    expect(await row.textContent()).not.toContain('abc123');
    expect(await row.locator('td.value').textContent()).toBe('••••••••');
    // The foreign cookie was refused, with its reason.
    await page.locator('#live-rows tr[data-type="refused"]', { hasText: 'domain-mismatch' }).waitFor();
    await page.getByLabel('Show values').check();
    expect(await row.locator('td.value').textContent()).toBe('abc123');
    await page.getByLabel('Show values').uncheck();

    // An update shows old → new, masked until shown.
    await jarsync.supervisor.setCookie('theme=dark; Path=/', 'http://other.shop.test/');
    await jarsync.supervisor.setCookie('theme=light; Path=/', 'http://other.shop.test/');
    const updated = page.locator('#live-rows tr[data-type="updated"]', { hasText: 'theme' });
    await updated.waitFor();
    expect(await updated.locator('td.value').textContent()).toBe('•••••••• → ••••••••');
    await page.getByLabel('Show values').check();
    expect(await updated.locator('td.value').textContent()).toBe('dark → light');
    await page.getByLabel('Show values').uncheck();
    await jarsync.supervisor.deleteCookies({ domain: 'other.shop.test' });
    await page.locator('#live-rows tr[data-type="deleted"]', { hasText: 'theme' }).waitFor();
    await screenshot('live');
  });

  it('Sync Cookies shows live status, refusals with their reasons', async () => {
    await page.getByRole('tab', { name: 'Sync Cookies' }).click();
    await page.locator('#refused-reasons li', { hasText: 'domain-mismatch' }).waitFor();
    await page.locator('#status dd', { hasText: /^1 of 1 running$/ }).waitFor();
    // The status is polled every second: the last poll may predate the previous view's deletion.
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 5_000 }).toContain('Cookies in the jar1');
    expect(await page.locator('#status').textContent()).toContain('Interceptor extensionnot paired yet');
    // An extension pairs and says it is there: the status follows.
    const admin = `http://127.0.0.1:${String(jarsync.addresses.admin?.port)}`;
    const paired = await fetch(`${admin}/api/interceptor/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: jarsync.supervisor.interceptor().pairing.code, browser: 'TestBrowser/1' }),
    });
    expect(paired.status).toBe(201);
    const { token } = (await paired.json()) as { token: string };
    const beat = await fetch(`${admin}/api/interceptor/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ browser: 'TestBrowser/1' }),
    });
    expect(beat.status).toBe(200);
    await page.locator('#status dd', { hasText: /^Connected \u2014 TestBrowser\/1/ }).waitFor();
    await screenshot('sync');
  });

  it('Manage Cookies: grouped by domain, searched, revealed, added from a Set-Cookie line', async () => {
    await page.getByRole('tab', { name: 'Manage Cookies' }).click();
    await page.getByRole('heading', { name: 'app.shop.test (1)' }).waitFor();
    const row = page.locator('#cookie-groups tr', { has: page.locator('code', { hasText: /^session$/ }) });
    expect(await row.locator('td.value').textContent()).toBe('••••••••');
    expect(await row.textContent()).toContain('yes'); // HttpOnly
    await page.getByRole('button', { name: 'Reveal value of session (app.shop.test)' }).click();
    expect(await row.locator('td.value').textContent()).toBe('abc123');

    await page.getByLabel('Search cookies').fill('nothing-like-it');
    await page.getByText('No cookie matches.').waitFor();
    await page.getByLabel('Search cookies').fill('sess');
    await row.waitFor();

    await page.getByLabel('URL it comes from').fill('https://app.shop.test/');
    await page.getByLabel('Set-Cookie line').fill('bad=1; Domain=example.com');
    await page.getByRole('button', { name: 'Add cookie' }).click();
    await page.locator('#add-error', { hasText: 'domain-mismatch' }).waitFor();
    await page.getByLabel('Set-Cookie line').fill('manual=by-hand; Path=/; Secure');
    await page.getByRole('button', { name: 'Add cookie' }).click();
    await page.getByLabel('Search cookies').fill('');
    await page.getByRole('heading', { name: 'app.shop.test (2)' }).waitFor();
    expect(await page.locator('#add-error').textContent()).toBe('');
    await screenshot('cookies');
  });

  it('Exports: downloads cookies.txt and storageState with the jar\u2019s cookies; a header needs a URL', async () => {
    await page.getByRole('tab', { name: 'Exports' }).click();
    await page.getByLabel('Format').selectOption('netscape');
    await page.getByLabel('Only the cookies of this domain (optional)').fill('shop.test');
    expect(await page.locator('#export-cli').textContent()).toBe('jarsync cookies --format netscape --domain shop.test');
    const [netscape] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(netscape.suggestedFilename()).toBe('cookies.txt');
    const text = await readFile(await netscape.path(), 'utf8');
    expect(text).toContain('#HttpOnly_app.shop.test\tFALSE\t/\tFALSE\t0\tsession\tabc123');
    expect(text).toContain('app.shop.test\tFALSE\t/\tTRUE\t0\tmanual\tby-hand');

    await page.getByLabel('Format').selectOption('storage-state');
    const [state] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    const storage = JSON.parse(await readFile(await state.path(), 'utf8')) as { cookies: { name: string; value: string; httpOnly: boolean }[] };
    expect(storage.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).sort()).toEqual(['manual=by-hand', 'session=abc123']);

    await page.getByLabel('Format').selectOption('header');
    await page.getByRole('button', { name: 'Download' }).click();
    await page.locator('#export-error', { hasText: 'enter the URL' }).waitFor();
    await screenshot('exports');
  });

  it('Manage Cookies: deletes one cookie, then all of a domain', async () => {
    await page.getByRole('tab', { name: 'Manage Cookies' }).click();
    await page.getByRole('button', { name: 'Delete cookie session of app.shop.test' }).click();
    await page.getByRole('heading', { name: 'app.shop.test (1)' }).waitFor();
    expect((await jarsync.supervisor.cookies()).map((cookie) => cookie.key)).toEqual(['manual']);
    await page.getByRole('button', { name: 'Delete all cookies of app.shop.test and its subdomains' }).click();
    await page.getByText('The jar is empty.').waitFor();
    expect(await jarsync.supervisor.cookies()).toEqual([]);
    await page.getByRole('tab', { name: 'Live' }).click();
    await page.locator('#live-rows tr[data-type="deleted"]', { hasText: 'session' }).waitFor();
  });

  it('Devices: the proxy address, a QR code for the onboarding page, the CA and the PAC file', async () => {
    await page.getByRole('tab', { name: 'Devices' }).click();
    const port = jarsync.addresses.proxy.port;
    await page.locator('.card .address', { hasText: `127.0.0.1:${port}` }).waitFor();
    await page.getByRole('img', { name: `QR code that opens http://127.0.0.1:${port}/` }).waitFor();
    expect(await page.locator('#ca-fingerprint').textContent()).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await page.getByLabel('PAC file URL').inputValue()).toBe(`http://127.0.0.1:${port}/proxy.pac`);
    expect(await page.locator('#interceptor-pairing-code').textContent()).toBe(jarsync.supervisor.interceptor().pairing.code);
    expect(await page.locator('#interceptor-admin-url').textContent()).toBe(`http://127.0.0.1:${String(jarsync.addresses.admin?.port)}`);
    for (const name of ['Download CA (PEM)', 'Download CA (DER)', 'Download CA (PKCS#12, empty password)', 'Download PAC file']) {
      await page.getByRole('link', { name }).waitFor();
    }
    await screenshot('devices');
  });

  it('names every control of every view for assistive technology', async () => {
    for (const tab of ['Sync Cookies', 'Manage Cookies', 'Live', 'Exports', 'Devices']) {
      await page.getByRole('tab', { name: tab }).click();
      expect(await unnamedControls(), tab).toEqual([]);
    }
  });

  it('works by keyboard alone: the tabs, adding a domain, revealing a value', async () => {
    await jarsync.supervisor.setCookie('kbd=typed; Path=/', 'http://app.shop.test/');
    await page.goto(`${base}/`);
    await page.getByRole('tab', { name: 'Sync Cookies' }).waitFor();
    // A page opened later gets the recent history, each change once.
    await page.locator('#live-rows tr[data-type="updated"]', { hasText: 'theme' }).waitFor({ state: 'attached' });
    expect(await page.locator('#live-rows tr[data-type="added"]', { hasText: 'session' }).count()).toBe(1);
    const focused = () => page.evaluate<string>("document.activeElement?.id ?? ''");
    /** Presses Tab until the element with this id has focus (at most `limit` times). */
    const tabTo = async (id: string, limit = 15) => {
      for (let presses = 0; presses < limit; presses += 1) {
        await page.keyboard.press('Tab');
        if ((await focused()) === id) return;
      }
      throw new Error(`Tab never reached #${id}`);
    };

    // The tab list is one stop: the selected tab.
    await tabTo('tab-sync');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('tab-cookies');
    expect(await page.getByRole('tab', { name: 'Manage Cookies' }).getAttribute('aria-selected')).toBe('true');
    expect(await panel('panel-cookies').isVisible()).toBe(true);
    expect(await panel('panel-sync').isVisible()).toBe(false);
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toBe('tab-sync');
    expect(await panel('panel-sync').isVisible()).toBe(true);
    await page.keyboard.press('End');
    expect(await focused()).toBe('tab-devices');
    await page.keyboard.press('Home');
    expect(await focused()).toBe('tab-sync');

    // Into the Sync Cookies panel, to the domain field: type and press Enter.
    await tabTo('domain-input');
    await page.keyboard.type('kbd.test');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Remove domain kbd.test' }).waitFor();
    expect(jarsync.supervisor.domains().map((rule) => rule.spec)).toContain('kbd.test');

    // Back to the tab list (Shift+Tab), over to Manage Cookies, into its panel, to the cookie's Reveal button.
    await page.getByRole('tab', { name: 'Sync Cookies' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('button', { name: 'Reveal value of kbd (app.shop.test)' }).waitFor();
    await tabTo('cookie-search');
    for (let presses = 0; presses < 10; presses += 1) {
      await page.keyboard.press('Tab');
      const label = await page.locator('*:focus').getAttribute('aria-label');
      if (label === 'Reveal value of kbd (app.shop.test)') break;
    }
    await page.keyboard.press('Enter');
    await page.locator('td.value', { hasText: 'typed' }).waitFor();
    // The redrawn button keeps the focus.
    expect(await page.locator('*:focus').getAttribute('aria-label')).toBe('Hide value of kbd (app.shop.test)');
  });
});
