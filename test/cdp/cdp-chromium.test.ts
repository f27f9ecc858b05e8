/**
 * `cdp`: jarsync attached to a headless Chromium over the DevTools protocol.
 * Pages on local origins set cookies by header (HttpOnly, Secure over https,
 * Domain=, Max-Age=0) and by page script; the jar ends up holding exactly
 * what Chromium holds for the synced domain and nothing of the others; a
 * browser restart is seen and recovered from.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdpSync } from '../../src/cdp/cdp-sync.ts';
import { chromiumCookies, cookiePages, jarLines, SYNCED, visit } from '../helpers/chromium-pages.ts';
import { prepareChromiumHome, startChromium, type RunningChromium } from '../helpers/chromium-process.ts';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startSupervisor, tempDir, type RunningSupervisor } from '../helpers/supervisor.ts';

let secure: Origin;
let plain: Origin;
let home: string;
let chromium: RunningChromium;
let jarsync: RunningSupervisor;

const visitPage = (url: string): Promise<void> => visit(chromium.endpoint, url);
const chromiumHolds = (): Promise<string[]> => chromiumCookies(chromium.endpoint);

async function jarCookies(): Promise<string[]> {
  return jarLines(await jarsync.supervisor.cookies());
}

async function cdpStatus() {
  return (await jarsync.supervisor.status()).interceptor.cdp;
}

beforeAll(async () => {
  secure = await startOrigin(cookiePages, { tls: true });
  plain = await startOrigin(cookiePages);
  home = await tempDir('jarsync-cdp-');
  await prepareChromiumHome(home);
  chromium = await startChromium({ home, userDataDir: path.join(home, 'profile') });
  jarsync = await startSupervisor({ domains: [SYNCED], persist: false, proxyEnabled: false, cdp: chromium.endpoint, cdpPollIntervalMs: 200 });
}, 30_000);

afterAll(async () => {
  await jarsync.stop();
  await chromium.stop();
  await secure.close();
  await plain.close();
  await rm(home, { recursive: true, force: true });
});

describe('cookies from Chromium over the DevTools protocol', () => {
  it('connects and shows it on the status', async () => {
    await expect.poll(cdpStatus, { timeout: 10_000 }).toMatchObject({ state: 'connected', endpoint: chromium.endpoint, reason: null, reconnects: 0 });
    expect((await cdpStatus())?.browser).toMatch(/Chrome/);
  });

  it('holds exactly what Chromium holds for the synced domain, set by header or by script, and nothing of the others', async () => {
    const changes: string[] = [];
    const subscription = jarsync.supervisor.cookies$.subscribe((change) => changes.push(`${change.type} ${change.cookie.key} ${change.source}`));
    await visitPage(`https://${SYNCED}:${secure.port}/set`);
    await visitPage(`https://other.origin.test:${secure.port}/other`);
    await visitPage(`http://www.${SYNCED}:${plain.port}/plain`);
    await visitPage(`https://${SYNCED}:${secure.port}/script`);
    const expected = await chromiumHolds();
    expect(expected.join('\n')).toContain('sid=s-1 expires=session HttpOnly Secure');
    expect(expected.join('\n')).toContain(`.${SYNCED}/ wide=w`);
    expect(expected.join('\n')).toContain('js=by-script');
    expect(expected.join('\n')).toContain(`www.${SYNCED}/ plain=p`);
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(expected);

    await visitPage(`https://${SYNCED}:${secure.port}/update`);
    const updated = await chromiumHolds();
    expect(updated.join('\n')).not.toContain('gone=');
    expect(updated.join('\n')).toContain('theme=light');
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(updated);
    subscription.unsubscribe();
    expect(changes).toContain('updated theme cdp');
    expect(changes).toContain('deleted gone cdp');
    expect(changes.every((change) => change.endsWith(' cdp'))).toBe(true);
    expect((await jarsync.supervisor.cookies()).some((cookie) => cookie.key.startsWith('foreign'))).toBe(false);
  });

  it('reads the cookie store when a response or request shows cookies, without waiting for the periodic read', async () => {
    const seen: string[] = [];
    const sync = new CdpSync({
      endpoint: chromium.endpoint,
      pollIntervalMs: 600_000,
      log: () => undefined,
      apply: (changes) => {
        for (const change of changes) seen.push(`${change.kind} ${change.cookie.name}`);
        return Promise.resolve();
      },
    });
    sync.start();
    try {
      await expect.poll(() => sync.status().state, { timeout: 5_000 }).toBe('connected');
      await expect.poll(() => sync.status().targets, { timeout: 5_000 }).toBeGreaterThan(0);
      seen.length = 0;
      await visitPage(`https://${SYNCED}:${secure.port}/later`);
      await expect.poll(() => seen, { timeout: 2_000 }).toContain('set later');
    } finally {
      await sync.close();
    }
    expect(sync.status().state).toBe('closed');
  });

  it('sees the browser go, reconnects when it is back, and follows what it lost', async () => {
    const port = chromium.port;
    await chromium.stop();
    await expect.poll(cdpStatus, { timeout: 5_000 }).toMatchObject({ state: 'disconnected' });
    expect((await cdpStatus())?.reason).toMatch(/closed|Cannot/);
    chromium = await startChromium({ home, userDataDir: path.join(home, 'profile'), debuggingPort: port });
    await expect.poll(cdpStatus, { timeout: 10_000 }).toMatchObject({ state: 'connected', reconnects: 1, reason: null });
    // The session cookies died with the browser; the jar follows.
    const after = await chromiumHolds();
    expect(after.join('\n')).not.toContain('sid=');
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(after);
    await visitPage(`https://${SYNCED}:${secure.port}/set`);
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(await chromiumHolds());
  });
});
