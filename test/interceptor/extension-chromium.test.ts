/**
 * The Interceptor extension, built and loaded into a headless Chromium
 * (`--load-extension`), paired with a running jarsync through its service
 * worker (the call the options page makes). Pages set cookies by header and
 * by script; the jar ends up holding exactly what Chromium holds for the
 * synced domain, an overwrite arrives as one update, and Stop/Start Syncing
 * shows as disconnected and connected on both sides.
 *
 * Host permissions cannot be granted by a click in a headless browser: the
 * test's copy of the extension declares the test origins' permission in its
 * manifest (`host_permissions`) instead of asking at run time.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookieChange } from '../../src/actors/cookie-change.ts';
import { chromiumCookies, cookiePages, evaluateIn, jarLines, SYNCED, visit } from '../helpers/chromium-pages.ts';
import { prepareChromiumHome, startChromium, type RunningChromium } from '../helpers/chromium-process.ts';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startSupervisor, tempDir, type RunningSupervisor } from '../helpers/supervisor.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NOT_GRANTED = 'example.net';

let secure: Origin;
let plain: Origin;
let home: string;
let chromium: RunningChromium;
let jarsync: RunningSupervisor;
let adminUrl: string;
const changes: CookieChange[] = [];

const isWorker = (url: string): boolean => url.startsWith('chrome-extension://') && url.endsWith('/dist/background.js');

function inWorker(expression: string): Promise<unknown> {
  return evaluateIn(chromium.endpoint, isWorker, expression);
}

const workerState = async () => (await inWorker('jarsyncInterceptor.state()')) as { connected: boolean; reason: string | null; domains: string[]; missing: string[]; lastSyncAt: number | null };
const extensionStatus = async () => (await jarsync.supervisor.status()).interceptor.extension;
const jarCookies = async (): Promise<string[]> => jarLines(await jarsync.supervisor.cookies());

async function popupText(): Promise<string> {
  const worker = (await (await fetch(`${chromium.endpoint}/json/list`)).json()) as { url: string }[];
  const base = worker.find((target) => isWorker(target.url))?.url.replace('/dist/background.js', '') ?? '';
  const text = await evaluateIn(
    chromium.endpoint,
    (url) => url === `${base}/popup.html`,
    `new Promise((resolve) => setTimeout(() => resolve(document.body.innerText), 300))`,
    `${base}/popup.html`,
  );
  return String(text);
}

beforeAll(async () => {
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', path.join(ROOT, 'extension', 'tsconfig.json')]);
  home = await tempDir('jarsync-extension-');
  const extension = path.join(home, 'extension');
  for (const part of ['manifest.json', 'popup.html', 'options.html', 'dist']) cpSync(path.join(ROOT, 'extension', part), path.join(extension, part), { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(extension, 'manifest.json'), 'utf8')) as { host_permissions: string[] };
  manifest.host_permissions.push('*://*.origin.test/*');
  writeFileSync(path.join(extension, 'manifest.json'), JSON.stringify(manifest));

  secure = await startOrigin(cookiePages, { tls: true });
  plain = await startOrigin(cookiePages);
  jarsync = await startSupervisor({ dataDir: path.join(home, 'jarsync'), domains: [SYNCED, NOT_GRANTED], persist: false, proxyEnabled: false, adminPort: 0 });
  const admin = jarsync.addresses.admin;
  if (admin === null) throw new Error('no admin API');
  adminUrl = `http://127.0.0.1:${admin.port}`;
  jarsync.supervisor.cookies$.subscribe((change) => changes.push(change));
  await prepareChromiumHome(home);
  chromium = await startChromium({ home, userDataDir: path.join(home, 'profile'), extraArgs: [`--load-extension=${extension}`, `--disable-extensions-except=${extension}`] });
  // The extension's service worker registers shortly after the browser opens its DevTools port.
  for (let tries = 0; ; tries += 1) {
    const targets = (await (await fetch(`${chromium.endpoint}/json/list`)).json()) as { url: string }[];
    // Listed before its module has run: ready once its calls are there.
    if (targets.some((target) => isWorker(target.url)) && (await inWorker('typeof jarsyncInterceptor')) === 'object') break;
    if (tries > 200) throw new Error(`the extension did not load: ${chromium.stderr().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 30_000);

afterAll(async () => {
  await chromium.stop();
  await jarsync.stop();
  await secure.close();
  await plain.close();
  await rm(home, { recursive: true, force: true });
});

describe('the Interceptor extension in Chromium', () => {
  it('is disconnected until paired, and refuses a wrong code', async () => {
    expect(await workerState()).toMatchObject({ connected: false, reason: 'not paired with jarsync yet' });
    expect(await popupText()).toContain('Interceptor Disconnected');
    const wrong = (await inWorker(`jarsyncInterceptor.handle({ type: 'pair', adminUrl: ${JSON.stringify(adminUrl)}, code: 'AAAA-AAAA' })`)) as { ok: boolean; error: string };
    expect(wrong).toMatchObject({ ok: false });
    expect(wrong.error).toMatch(/Wrong pairing code/);
    expect((await extensionStatus()).state).toBe('never');
  });

  it('pairs, syncs in full, and says which domains it has no access to', async () => {
    await visit(chromium.endpoint, `https://${SYNCED}:${secure.port}/set`);
    const paired = (await inWorker(`jarsyncInterceptor.handle({ type: 'pair', adminUrl: ${JSON.stringify(adminUrl)}, code: ${JSON.stringify(jarsync.addresses.pairingCode)} })`)) as { ok: boolean };
    expect(paired).toMatchObject({ ok: true });
    const state = await workerState();
    expect(state).toMatchObject({ connected: true, domains: [SYNCED, NOT_GRANTED], missing: [NOT_GRANTED] });
    expect(state.reason).toContain(`no access to ${NOT_GRANTED}`);
    expect(state.lastSyncAt).toEqual(expect.any(Number));
    expect(await extensionStatus()).toMatchObject({ state: 'connected', tokens: 1, lastSyncAt: expect.any(Number) as number });
    const expected = await chromiumCookies(chromium.endpoint);
    expect(expected.join('\n')).toContain('sid=s-1 expires=session HttpOnly Secure');
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(expected);
    expect(changes.every((change) => change.source === 'interceptor')).toBe(true);
    const popup = await popupText();
    expect(popup).toContain('Interceptor Connected');
    expect(popup).toContain(SYNCED);
    expect(popup).toContain('Stop Syncing');
  });

  it('follows changes as they happen: by header, by script, an overwrite as one update, a deletion; nothing of other domains', async () => {
    changes.length = 0;
    await visit(chromium.endpoint, `https://other.origin.test:${secure.port}/other`);
    await visit(chromium.endpoint, `http://www.${SYNCED}:${plain.port}/plain`);
    await visit(chromium.endpoint, `https://${SYNCED}:${secure.port}/script`);
    await visit(chromium.endpoint, `https://${SYNCED}:${secure.port}/update`);
    const expected = await chromiumCookies(chromium.endpoint);
    expect(expected.join('\n')).toContain('js=by-script');
    expect(expected.join('\n')).toContain('theme=light');
    expect(expected.join('\n')).not.toContain('gone=');
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(expected);
    const theme = changes.filter((change) => change.cookie.key === 'theme').map((change) => change.type);
    expect(theme).toEqual(['updated']);
    expect(changes.filter((change) => change.cookie.key === 'gone').map((change) => change.type)).toEqual(['deleted']);
    expect((await jarsync.supervisor.cookies()).some((cookie) => cookie.key.startsWith('foreign'))).toBe(false);
    expect((await extensionStatus()).ignored).toBeGreaterThan(0);
  });

  it('Stop Syncing shows disconnected on both sides and stops sending; Start Syncing reconnects with a full sync that catches up, deletions included', async () => {
    await inWorker(`jarsyncInterceptor.handle({ type: 'stop' })`);
    expect(await workerState()).toMatchObject({ connected: false, reason: 'syncing is stopped' });
    expect(await extensionStatus()).toMatchObject({ state: 'disconnected', reason: 'syncing was stopped in the extension' });
    const popup = await popupText();
    expect(popup).toContain('Interceptor Disconnected');
    expect(popup).toContain('Start Syncing');
    await visit(chromium.endpoint, `https://${SYNCED}:${secure.port}/later`);
    await visit(chromium.endpoint, `https://${SYNCED}:${secure.port}/drop`);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await jarCookies()).join('\n')).not.toContain('later=');
    expect((await jarCookies()).join('\n')).toContain('theme=light');

    await inWorker(`jarsyncInterceptor.handle({ type: 'start' })`);
    expect(await workerState()).toMatchObject({ connected: true });
    expect(await extensionStatus()).toMatchObject({ state: 'connected', reason: null });
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(await chromiumCookies(chromium.endpoint));
    expect((await jarCookies()).join('\n')).toContain('later=l');
    // Deleted in the browser while not syncing: removed by the full sync.
    expect((await jarCookies()).join('\n')).not.toContain('theme=');
  });

  it('shows jarsync gone with the reason, and reconnects to a restarted jarsync with the same token', async () => {
    const port = jarsync.addresses.admin?.port ?? 0;
    await jarsync.supervisor.close();
    const gone = (await inWorker(`jarsyncInterceptor.handle({ type: 'sync' })`)) as { connected: boolean; reason: string };
    expect(gone).toMatchObject({ connected: false, reason: `jarsync is not reachable at ${adminUrl}` });
    expect(await popupText()).toContain('Interceptor Disconnected');

    jarsync = await startSupervisor({ dataDir: path.join(home, 'jarsync'), domains: [SYNCED], persist: false, proxyEnabled: false, adminPort: port });
    expect(await inWorker(`jarsyncInterceptor.handle({ type: 'sync' })`)).toMatchObject({ connected: true, reason: null, missing: [] });
    expect(await extensionStatus()).toMatchObject({ state: 'connected', tokens: 1 });
    await expect.poll(jarCookies, { timeout: 5_000 }).toEqual(await chromiumCookies(chromium.endpoint));
    expect(await popupText()).toContain('Interceptor Connected');
  });
});
