/**
 * The Sync Cookies view: the proxy (port, locked while it is enabled; the
 * enable switch), Start/Stop Syncing, the domain list (added with the API's
 * own validation, its error shown by the field), and live status from
 * /api/status, polled every second: workers, connections, requests per
 * second, cookies, and refusals with their reasons.
 */
import { messageOf } from './api.js';
import { byId, formatTime, h } from './dom.js';

/** @import { Api } from './api.js' */
/** @import { JarEvents, CookieRefusal } from './events.js' */

/**
 * @typedef {object} Status  the parts of GET /api/status this view shows
 * @property {{ enabled: boolean, host: string, port: number }} proxy
 * @property {boolean} syncing
 * @property {string[]} domains
 * @property {{ alive: boolean, connectionsOpen: number, requestsTotal: number }[]} workers
 * @property {{ received: number, synced: number }} events
 * @property {{ cookies: number, applied: Record<string, number>, refused: Record<string, number> }} jar
 * @property {{ extension: BrowserLink, cdp: (BrowserLink & { endpoint: string }) | null }} interceptor
 */

/**
 * @typedef {object} BrowserLink  a browser syncing its own cookies (the extension, or one attached over the DevTools protocol)
 * @property {string} state  never | connecting | connected | disconnected | closed
 * @property {string | null} reason
 * @property {string | null} browser
 * @property {number | null} lastSyncAt
 */

const POLL_MS = 1_000;
/** Refusals listed under the reasons, newest first. */
const RECENT_REFUSALS = 8;

/**
 * @param {Api} api
 * @param {JarEvents} events
 * @param {(status: Status | null) => void} onStatus  the header's summary follows every poll
 */
export function syncTab(api, events, onStatus) {
  const enabled = byId('proxy-enabled', HTMLInputElement);
  const port = byId('proxy-port', HTMLInputElement);
  const portSave = byId('port-save', HTMLButtonElement);
  const portHint = byId('port-hint', HTMLElement);
  const proxyError = byId('proxy-error', HTMLElement);
  const syncToggle = byId('sync-toggle', HTMLButtonElement);
  const syncState = byId('sync-state', HTMLElement);
  const domainForm = byId('domain-form', HTMLFormElement);
  const domainInput = byId('domain-input', HTMLInputElement);
  const domainError = byId('domain-error', HTMLElement);
  const domainList = byId('domain-list', HTMLUListElement);
  const stats = byId('status', HTMLElement);
  const reasons = byId('refused-reasons', HTMLUListElement);
  const recentRefusals = byId('refused-recent', HTMLUListElement);

  /** @type {Status | null} */
  let status = null;
  /** @type {{ requests: number, at: number } | null} */
  let lastCount = null;
  let requestsPerSecond = 0;
  let shownDomains = '';
  /** @type {CookieRefusal[]} */
  const refusals = [];

  async function refresh() {
    try {
      status = /** @type {Status} */ (await api.get('/api/status'));
    } catch {
      onStatus(null);
      return;
    }
    const requests = status.workers.reduce((sum, worker) => sum + worker.requestsTotal, 0);
    const now = performance.now();
    if (lastCount !== null && now > lastCount.at) requestsPerSecond = Math.max(0, ((requests - lastCount.requests) * 1000) / (now - lastCount.at));
    lastCount = { requests, at: now };
    render(status);
    onStatus(status);
  }

  /** @param {Status} current */
  function render(current) {
    enabled.checked = current.proxy.enabled;
    // The port cannot change while the proxy listens on it (the API answers 409).
    port.disabled = current.proxy.enabled;
    portSave.disabled = current.proxy.enabled;
    if (document.activeElement !== port) port.value = String(current.proxy.port);
    portHint.textContent = current.proxy.enabled
      ? `Listening on ${current.proxy.host}:${current.proxy.port}. Turn the proxy off to change its port.`
      : 'The proxy is off: nothing can connect. Turn it on to listen on this port.';
    syncToggle.textContent = current.syncing ? 'Stop syncing' : 'Start syncing';
    syncState.textContent = current.syncing ? 'Syncing is on: cookies of the domains below are recorded.' : 'Syncing is stopped: nothing is decrypted or recorded.';

    const domains = current.domains.join('\n');
    if (domains !== shownDomains) {
      shownDomains = domains;
      domainList.replaceChildren(
        ...(current.domains.length === 0
          ? [h('li', {}, h('span', { class: 'hint' }, 'No domains yet: add one above.'))]
          : current.domains.map((domain) =>
              h('li', {}, h('code', {}, domain), removeButton(domain)),
            )),
      );
    }

    const alive = current.workers.filter((worker) => worker.alive).length;
    const connections = current.workers.reduce((sum, worker) => sum + worker.connectionsOpen, 0);
    const refusedTotal = Object.values(current.jar.refused).reduce((sum, count) => sum + count, 0);
    const rows = [
      ['Workers', `${alive} of ${current.workers.length} running`],
      ['Connections open', String(connections)],
      ['Requests per second', requestsPerSecond.toFixed(1)],
      ['Cookies in the jar', String(current.jar.cookies)],
      ['Cookie events synced', String(current.events.synced)],
      ['Cookies refused', String(refusedTotal)],
      ['Interceptor extension', browserLink(current.interceptor.extension, 'not paired yet (Devices: pairing code)')],
      ...(current.interceptor.cdp === null ? [] : [[`Browser at ${current.interceptor.cdp.endpoint}`, browserLink(current.interceptor.cdp, '')]]),
    ];
    stats.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', {}, term ?? ''), h('dd', {}, value ?? '')]));
    const byReason = Object.entries(current.jar.refused).filter(([, count]) => count > 0);
    reasons.replaceChildren(
      ...(byReason.length === 0 ? [h('li', { class: 'hint' }, 'None refused.')] : byReason.map(([reason, count]) => h('li', {}, h('code', {}, reason), String(count)))),
    );
  }

  /**
   * @param {BrowserLink} link
   * @param {string} never  what to say when it has never been heard from
   */
  function browserLink(link, never) {
    if (link.state === 'never') return never;
    const state = link.state === 'connected' ? 'Connected' : link.state === 'connecting' ? 'Connecting' : 'Disconnected';
    const reason = link.state !== 'connected' && link.reason !== null ? ` (${link.reason})` : '';
    const browser = link.browser === null ? '' : ` \u2014 ${link.browser}`;
    const synced = link.lastSyncAt === null ? '' : `, last full sync ${new Date(link.lastSyncAt).toLocaleTimeString()}`;
    return `${state}${reason}${browser}${synced}`;
  }

  /** @param {string} domain */
  function removeButton(domain) {
    const button = h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove domain ${domain}` }, 'Remove');
    button.addEventListener('click', () => {
      void act(domainError, async () => {
        await api.send('DELETE', `/api/domains/${encodeURIComponent(domain)}`);
      });
    });
    return button;
  }

  /**
   * Runs a change, shows its error in `where` (or clears it), then refreshes.
   * @param {HTMLElement} where
   * @param {() => Promise<void>} change
   * @returns {Promise<boolean>} whether it succeeded
   */
  async function act(where, change) {
    try {
      await change();
      where.textContent = '';
      return true;
    } catch (error) {
      where.textContent = messageOf(error);
      return false;
    } finally {
      await refresh();
    }
  }

  enabled.addEventListener('change', () => {
    void act(proxyError, async () => {
      await api.send('PUT', '/api/proxy', { enabled: enabled.checked });
    });
  });
  byId('port-form', HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
    void act(proxyError, async () => {
      await api.send('PUT', '/api/proxy', { port: Number(port.value) });
    });
  });
  syncToggle.addEventListener('click', () => {
    void act(proxyError, async () => {
      await api.send('POST', status?.syncing === false ? '/api/sync/start' : '/api/sync/stop');
    });
  });
  domainForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const domain = domainInput.value.trim();
    void act(domainError, async () => {
      await api.send('POST', '/api/domains', { domain });
    }).then((ok) => {
      domainInput.setAttribute('aria-invalid', String(!ok));
      if (ok) domainInput.value = '';
    });
  });

  events.onRefused((refusal) => {
    refusals.unshift(refusal);
    refusals.length = Math.min(refusals.length, RECENT_REFUSALS);
    recentRefusals.replaceChildren(
      ...refusals.map((item) => h('li', {}, `${formatTime(item.at)} `, h('code', {}, item.reason), ` ${item.detail} (${item.url})`)),
    );
  });

  void refresh();
  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, POLL_MS);
  return { refresh };
}
