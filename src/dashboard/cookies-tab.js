/**
 * The Manage Cookies view: the jar's cookies grouped by domain, a search over
 * names, domains and paths, every attribute, values masked until revealed
 * (one by one), deleting one cookie or all of a domain, and adding a cookie
 * from a raw Set-Cookie line as if a response from a URL had carried it.
 *
 * The list reloads whenever the event stream reports a change. Re-drawing
 * keeps the focused control focused (by what it is for, not by node), so a
 * keyboard user is not thrown back to the top by a cookie arriving.
 */
import { messageOf } from './api.js';
import { byId, formatTime, h, MASK } from './dom.js';

/** @import { Api } from './api.js' */
/** @import { JarEvents, SerializedCookie } from './events.js' */

/** Changes often come in bursts (a page sets several cookies): one reload for a burst. */
const RELOAD_DELAY_MS = 100;

/**
 * @param {Api} api
 * @param {JarEvents} events
 */
export function cookiesTab(api, events) {
  const search = byId('cookie-search', HTMLInputElement);
  const groups = byId('cookie-groups', HTMLElement);
  const count = byId('cookie-count', HTMLElement);
  const addForm = byId('add-form', HTMLFormElement);
  const addUrl = byId('add-url', HTMLInputElement);
  const addLine = byId('add-line', HTMLInputElement);
  const addError = byId('add-error', HTMLElement);

  /** @type {SerializedCookie[]} */
  let cookies = [];
  /** Cookies whose value is shown, by identity. */
  const revealed = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let pending;

  /** @param {SerializedCookie} cookie */
  const identity = (cookie) => `${cookie.domain ?? ''}\t${cookie.path ?? '/'}\t${cookie.key}`;

  async function load() {
    try {
      cookies = /** @type {SerializedCookie[]} */ (await api.get('/api/cookies'));
      render();
    } catch (error) {
      groups.replaceChildren(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
    }
  }

  function render() {
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset['focus'] : undefined;
    const term = search.value.trim().toLowerCase();
    const shown = cookies.filter((cookie) => term === '' || [cookie.key, cookie.domain ?? '', cookie.path ?? ''].some((text) => text.toLowerCase().includes(term)));
    /** @type {Map<string, SerializedCookie[]>} */
    const byDomain = new Map();
    for (const cookie of shown) {
      const list = byDomain.get(cookie.domain ?? '') ?? [];
      list.push(cookie);
      byDomain.set(cookie.domain ?? '', list);
    }
    count.textContent = term === '' ? `${cookies.length} cookie${cookies.length === 1 ? '' : 's'}` : `${shown.length} of ${cookies.length} cookies match`;
    const sections = [...byDomain.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([domain, list]) => group(domain, list));
    groups.replaceChildren(...(sections.length === 0 ? [h('p', { class: 'hint' }, cookies.length === 0 ? 'The jar is empty.' : 'No cookie matches.')] : sections));
    if (focused !== undefined) {
      const again = [...groups.querySelectorAll('[data-focus]')].find((element) => element instanceof HTMLElement && element.dataset['focus'] === focused);
      if (again instanceof HTMLElement) again.focus();
    }
  }

  /**
   * @param {string} domain
   * @param {SerializedCookie[]} list
   */
  function group(domain, list) {
    const deleteAll = h('button', { type: 'button', class: 'small danger', 'data-focus': `all\t${domain}` }, `Delete all cookies of ${domain} and its subdomains`);
    deleteAll.addEventListener('click', () => {
      void change(`/api/cookies?domain=${encodeURIComponent(domain)}`);
    });
    const headingId = `group-${domain.replace(/[^a-z0-9]/gi, '-')}`;
    return h(
      'section',
      { class: 'group', 'aria-labelledby': headingId },
      h('div', { class: 'group-head' }, h('h3', { id: headingId }, `${domain} (${list.length})`), deleteAll),
      h(
        'table',
        { class: 'data', 'aria-labelledby': headingId },
        h('thead', {}, h('tr', {}, ...['Name', 'Value', 'Path', 'Expires', 'Secure', 'HttpOnly', 'SameSite', 'Sent to', 'Actions'].map((title) => h('th', { scope: 'col' }, title)))),
        h('tbody', {}, ...list.map(row)),
      ),
    );
  }

  /** @param {SerializedCookie} cookie */
  function row(cookie) {
    const id = identity(cookie);
    const shown = revealed.has(id);
    const domain = cookie.domain ?? '';
    const reveal = h(
      'button',
      { type: 'button', class: 'small', 'aria-pressed': String(shown), 'aria-label': `${shown ? 'Hide' : 'Reveal'} value of ${cookie.key} (${domain})`, 'data-focus': `reveal\t${id}` },
      shown ? 'Hide' : 'Reveal',
    );
    reveal.addEventListener('click', () => {
      if (revealed.has(id)) revealed.delete(id);
      else revealed.add(id);
      render();
    });
    const remove = h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete cookie ${cookie.key} of ${domain}`, 'data-focus': `delete\t${id}` }, 'Delete');
    remove.addEventListener('click', () => {
      const query = new URLSearchParams({ domain, path: cookie.path ?? '/', name: cookie.key });
      void change(`/api/cookie?${query.toString()}`);
    });
    return h(
      'tr',
      { 'data-cookie': id },
      h('td', {}, h('code', {}, cookie.key)),
      h('td', { class: shown ? 'value' : 'value masked' }, shown ? cookie.value : MASK),
      h('td', {}, h('code', {}, cookie.path ?? '/')),
      h('td', {}, cookie.expires === undefined || cookie.expires === 'Infinity' ? 'session' : formatTime(cookie.expires)),
      h('td', {}, cookie.secure === true ? 'yes' : 'no'),
      h('td', {}, cookie.httpOnly === true ? 'yes' : 'no'),
      h('td', {}, cookie.sameSite ?? 'not set'),
      h('td', {}, cookie.hostOnly === true ? 'this host only' : 'and subdomains'),
      h('td', {}, reveal, ' ', remove),
    );
  }

  /** @param {string} path  a DELETE that changes the jar */
  async function change(path) {
    try {
      await api.send('DELETE', path);
    } catch (error) {
      count.textContent = messageOf(error);
    }
    await load();
  }

  // At most one reload per RELOAD_DELAY_MS however fast changes come: a
  // timer restarted by every change would never fire under steady traffic.
  function reloadSoon() {
    if (pending !== undefined) return;
    pending = setTimeout(() => {
      pending = undefined;
      void load();
    }, RELOAD_DELAY_MS);
  }

  search.addEventListener('input', render);
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        await api.send('POST', '/api/cookies', { setCookie: addLine.value.trim(), url: addUrl.value.trim() });
        addError.textContent = '';
        addLine.value = '';
      } catch (error) {
        addError.textContent = messageOf(error);
      }
      await load();
    })();
  });
  events.onCookie(reloadSoon);
  // Changes the stream could not deliver are in the jar: reload it.
  events.onDropped(reloadSoon);
  void load();
  return { load };
}
