/**
 * The jar's changes as they happen: one EventSource on /api/events, shared by
 * every view. It asks for the recent history first (`?recent=`), so the Live
 * view is filled at once; the browser reconnects by itself when the stream
 * drops (the server's `retry:`). A reconnect replays the history again: an
 * event whose data was seen already (the same time and content) is passed
 * over, so no view shows it twice.
 */

/**
 * @typedef {object} SerializedCookie  a cookie as the jar holds it (tough-cookie's JSON)
 * @property {string} key
 * @property {string} value
 * @property {string} [domain]
 * @property {string} [path]
 * @property {string} [expires]
 * @property {boolean} [secure]
 * @property {boolean} [httpOnly]
 * @property {boolean} [hostOnly]
 * @property {string} [sameSite]
 * @property {string} [creation]
 * @property {string} [lastAccessed]
 */

/**
 * @typedef {object} CookieChange
 * @property {'added' | 'updated' | 'deleted' | 'expired'} type
 * @property {SerializedCookie} cookie
 * @property {SerializedCookie} [previous]
 * @property {string} source
 * @property {string | null} url
 * @property {string | null} client
 * @property {number} at
 */

/**
 * @typedef {object} CookieRefusal
 * @property {string} reason
 * @property {string} detail
 * @property {string} header  with values masked
 * @property {string} url
 * @property {string | null} client
 * @property {number} at
 */

/**
 * @typedef {object} JarEvents
 * @property {(listener: (change: CookieChange) => void) => void} onCookie
 * @property {(listener: (refusal: CookieRefusal) => void) => void} onRefused
 * @property {(listener: (dropped: number) => void) => void} onDropped
 * @property {(listener: (open: boolean) => void) => void} onConnection
 */

/** How many past changes and refusals to replay when the stream opens. */
const RECENT = 200;

/** Event data remembered to pass over replays: more than one replay holds. */
const SEEN = RECENT * 2;

/** @returns {JarEvents} */
export function openEvents() {
  /** @type {((change: CookieChange) => void)[]} */
  const cookieListeners = [];
  /** @type {((refusal: CookieRefusal) => void)[]} */
  const refusedListeners = [];
  /** @type {((dropped: number) => void)[]} */
  const droppedListeners = [];
  /** @type {((open: boolean) => void)[]} */
  const connectionListeners = [];
  /** @type {Set<string>} */
  const seen = new Set();
  /**
   * Whether an event's data is new; remembers it (the oldest is forgotten first).
   * @param {string} type
   * @param {string} data
   */
  const fresh = (type, data) => {
    const key = `${type}\n${data}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (seen.size > SEEN) seen.delete(seen.values().next().value ?? '');
    return true;
  };
  const source = new EventSource(`/api/events?recent=${RECENT}`);
  source.addEventListener('cookie', (event) => {
    if (!fresh('cookie', event.data)) return;
    const change = /** @type {CookieChange} */ (JSON.parse(event.data));
    for (const listener of cookieListeners) listener(change);
  });
  source.addEventListener('refused', (event) => {
    if (!fresh('refused', event.data)) return;
    const refusal = /** @type {CookieRefusal} */ (JSON.parse(event.data));
    for (const listener of refusedListeners) listener(refusal);
  });
  source.addEventListener('dropped', (event) => {
    const { dropped } = /** @type {{ dropped: number }} */ (JSON.parse(event.data));
    for (const listener of droppedListeners) listener(dropped);
  });
  source.addEventListener('open', () => {
    for (const listener of connectionListeners) listener(true);
  });
  source.addEventListener('error', () => {
    for (const listener of connectionListeners) listener(false);
  });
  return {
    onCookie: (listener) => cookieListeners.push(listener),
    onRefused: (listener) => refusedListeners.push(listener),
    onDropped: (listener) => droppedListeners.push(listener),
    onConnection: (listener) => connectionListeners.push(listener),
  };
}
