/**
 * The dashboard page's entry: wires the views to one API client and one event
 * stream.
 *
 *   <meta name="jarsync-csrf"> ──▶ createApi ──▶ Sync Cookies, Manage Cookies, Devices
 *   /api/events (one EventSource) ──▶ Sync Cookies (refusals), Manage Cookies (reload), Live
 *   tabs.js: the tab list; the chosen view is kept in the address's #fragment
 *
 * The page came with a session cookie the browser sends by itself, and the
 * CSRF token in its HTML; a 401 from any call means the session is over, and
 * the page says how to open a new one.
 */
import { createApi } from './api.js';
import { cookiesTab } from './cookies-tab.js';
import { devicesTab } from './devices-tab.js';
import { byId } from './dom.js';
import { openEvents } from './events.js';
import { exportsTab } from './exports-tab.js';
import { liveTab } from './live-tab.js';
import { syncTab } from './sync-tab.js';
import { setUpTabs } from './tabs.js';

const csrfToken = document.querySelector('meta[name="jarsync-csrf"]')?.getAttribute('content') ?? '';
const ended = byId('session-ended', HTMLElement);
const topState = byId('top-state', HTMLElement);

function signedOut() {
  ended.textContent = 'Your session has ended. Open the dashboard link that jarsync start printed (dashboard: http://127.0.0.1:…/?token=…) again.';
  ended.hidden = false;
}

const api = createApi(csrfToken, signedOut);
const events = openEvents();

syncTab(api, events, (status) => {
  topState.classList.toggle('on', status?.syncing === true);
  topState.classList.toggle('off', status !== null && !status.syncing);
  topState.textContent =
    status === null
      ? 'jarsync does not answer'
      : `${status.syncing ? 'Syncing' : 'Not syncing'} · ${status.domains.length} domain${status.domains.length === 1 ? '' : 's'} · proxy ${status.proxy.enabled ? `on :${status.proxy.port}` : 'off'}`;
});
cookiesTab(api, events);
liveTab(events);
exportsTab();
const devices = devicesTab(api);

const TAB_OF_FRAGMENT = /** @type {Record<string, string>} */ ({ sync: 'tab-sync', cookies: 'tab-cookies', live: 'tab-live', exports: 'tab-exports', devices: 'tab-devices' });
const selectTab = setUpTabs(byId('views', HTMLElement), (tabId) => {
  const fragment = Object.keys(TAB_OF_FRAGMENT).find((key) => TAB_OF_FRAGMENT[key] === tabId) ?? 'sync';
  if (location.hash !== `#${fragment}`) history.replaceState(null, '', `#${fragment}`);
  if (tabId === 'tab-devices') void devices.load();
});
selectTab(TAB_OF_FRAGMENT[location.hash.slice(1)] ?? 'tab-sync');

byId('sign-out', HTMLButtonElement).addEventListener('click', () => {
  void api.send('DELETE', '/api/session').finally(() => {
    location.replace('/');
  });
});
