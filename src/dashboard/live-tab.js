/**
 * The Live view: the jar's changes and refusals as they arrive on the event
 * stream (within a second of the traffic that made them), newest first, with
 * the recent history the stream replays on opening. Each row: time, type,
 * name, domain, the value (old → new for an update), masked unless "Show
 * values" is on, and the client whose traffic carried it.
 */
import { byId, formatTime, h, MASK } from './dom.js';

/** @import { JarEvents, CookieChange, CookieRefusal } from './events.js' */

/** Rows kept; older ones go. */
const MAX_ROWS = 200;

/**
 * @typedef {object} LiveRow
 * @property {number} at
 * @property {string} type  added, updated, deleted, expired or refused
 * @property {string} name
 * @property {string} domain
 * @property {string | null} before  the old value (updates)
 * @property {string | null} after  the new value; for a refusal, its header with values masked by the server
 * @property {boolean} masked  whether `after` is a secret (not for refusals: the server masked them already)
 * @property {string} client
 */

/** @param {JarEvents} events */
export function liveTab(events) {
  const rows = byId('live-rows', HTMLTableSectionElement);
  const showValues = byId('live-values', HTMLInputElement);
  const note = byId('live-note', HTMLElement);

  /** @type {LiveRow[]} newest first */
  let kept = [];
  /** Rows added since the last drawing, highlighted in the next. */
  const fresh = new Set();
  let drawing = false;

  /** @param {LiveRow} row */
  function add(row) {
    // Replayed history comes oldest first; live events are newer than all of it.
    let at = 0;
    while (at < kept.length && (kept[at]?.at ?? 0) > row.at) at += 1;
    kept.splice(at, 0, row);
    if (kept.length > MAX_ROWS) kept = kept.slice(0, MAX_ROWS);
    fresh.add(row);
    // One drawing per frame, however many changes arrive in it (a burst, the replayed history).
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      render();
      fresh.clear();
    });
  }

  function render() {
    const show = showValues.checked;
    /** @param {string | null} value */
    const shown = (value) => (value === null ? '' : show ? value : MASK);
    rows.replaceChildren(
      ...(kept.length === 0
        ? [h('tr', {}, h('td', { colspan: '6', class: 'hint' }, 'No changes yet. Send a request to a synced domain through the proxy.'))]
        : kept.map((row) => {
            const value = row.masked ? (row.before === null ? shown(row.after) : `${shown(row.before)} → ${shown(row.after)}`) : (row.after ?? '');
            return h(
              'tr',
              { class: fresh.has(row) ? 'fresh' : undefined, 'data-type': row.type },
              h('td', {}, formatTime(row.at)),
              h('td', { class: `type-${row.type}` }, row.type),
              h('td', {}, h('code', {}, row.name)),
              h('td', {}, row.domain),
              h('td', { class: row.masked && !show ? 'value masked' : 'value' }, value),
              h('td', {}, row.client),
            );
          })),
    );
  }

  events.onCookie((/** @type {CookieChange} */ change) => {
    add({
      at: change.at,
      type: change.type,
      name: change.cookie.key,
      domain: change.cookie.domain ?? '',
      before: change.type === 'updated' ? (change.previous?.value ?? '') : null,
      after: change.cookie.value,
      masked: true,
      client: change.client ?? change.source,
    });
  });
  events.onRefused((/** @type {CookieRefusal} */ refusal) => {
    let host = refusal.url;
    try {
      host = new URL(refusal.url).hostname;
    } catch {
      // A refusal for a bad URL carries it as it was.
    }
    add({
      at: refusal.at,
      type: 'refused',
      name: refusal.reason,
      domain: host,
      before: null,
      after: `${refusal.header} (${refusal.detail})`,
      masked: false,
      client: refusal.client ?? 'api',
    });
  });
  events.onDropped((dropped) => {
    note.textContent = `${dropped} change${dropped === 1 ? ' was' : 's were'} missed while this page read slowly; Manage Cookies shows the jar as it is.`;
  });
  events.onConnection((open) => {
    if (open) note.textContent = '';
    else note.textContent = 'The event stream is down; reconnecting…';
  });
  showValues.addEventListener('change', () => {
    render();
  });
  render();
}
