/**
 * The service worker: keeps jarsync's jar in step with this browser's
 * cookies for the domains jarsync syncs.
 *
 *   pair (options page) ──▶ scoped token ──▶ connect: heartbeat (domain list) ──▶ full sync: cookies.getAll per domain
 *   cookies.onChanged ──▶ ChangeQueue (an overwrite's remove + insert made one update) ──100 ms──▶ POST /api/interceptor/cookies
 *   alarm every 30 s ──▶ heartbeat; after a failure, or when the domain list changed, a full sync again
 *   popup Stop Syncing ──▶ POST /api/interceptor/disconnect; Start Syncing ──▶ connect
 *
 * The worker may be stopped by the browser whenever it is idle: everything
 * that must last is in chrome.storage.local (settings.ts), and the listeners
 * are registered at the top level so that an event wakes it.
 */
import { batches, ChangeQueue, originsFor, ruleHost, wireCookie, type WireChange } from './change-queue.js';
import { disconnect, heartbeat, JarsyncRefused, pair, sendChanges } from './jarsync-client.js';
import { loadSettings, loadState, type Message, type SyncState } from './settings.js';

/** Chrome reports an overwrite's two halves at once; this is ample time for the second. */
const FLUSH_DELAY_MS = 100;
const HEARTBEAT_ALARM = 'jarsync-heartbeat';
/** The shortest period chrome.alarms allows (Chrome 120 and later). */
const HEARTBEAT_MINUTES = 0.5;

const queue = new ChangeQueue();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
let flushing: Promise<void> | null = null;

async function setState(patch: Partial<SyncState>): Promise<SyncState> {
  const state = { ...(await loadState()), ...patch };
  await chrome.storage.local.set({ state });
  return state;
}

function reasonOf(error: unknown): string {
  if (error instanceof JarsyncRefused && error.status === 401) return 'jarsync no longer knows this extension: pair it again';
  return error instanceof Error ? error.message : String(error);
}

/** The rules whose hosts this extension may read cookies of, and those it may not (yet). */
async function permitted(rules: readonly string[]): Promise<{ granted: string[]; missing: string[] }> {
  const granted: string[] = [];
  const missing: string[] = [];
  for (const rule of rules) ((await chrome.permissions.contains({ origins: originsFor(rule) })) ? granted : missing).push(rule);
  return { granted, missing };
}

/** A cookie's identity in the browser: its domain keeps the leading dot of a domain cookie. */
function idOf(cookie: { readonly domain: string; readonly path: string; readonly name: string }): string {
  return JSON.stringify([cookie.domain, cookie.path, cookie.name]);
}

/** The cookies jarsync was last told of (ids), kept across the worker's restarts. */
async function loadKnown(): Promise<Set<string>> {
  const stored = (await chrome.storage.local.get('known'))['known'];
  return new Set(Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : []);
}

async function saveKnown(known: ReadonlySet<string>): Promise<void> {
  await chrome.storage.local.set({ known: [...known] });
}

function underRule(domain: string, rules: readonly string[]): boolean {
  const bare = domain.replace(/^\./, '');
  return rules.some((rule) => {
    const host = ruleHost(rule);
    return bare === host || bare.endsWith(`.${host}`) || host.endsWith(`.${bare}`);
  });
}

/**
 * Every cookie of the granted domains, as `set` changes (a cookie under two
 * rules once), and a removal for each cookie jarsync was told of that the
 * browser no longer holds (deleted or expired while the extension was not
 * syncing): after a full sync the jar holds what the browser holds.
 */
async function snapshot(rules: readonly string[]): Promise<{ changes: WireChange[]; known: Set<string> }> {
  const at = Date.now();
  const seen = new Map<string, WireChange>();
  for (const rule of rules) {
    for (const cookie of await chrome.cookies.getAll({ domain: ruleHost(rule) })) {
      seen.set(idOf(cookie), { kind: 'set', cookie: wireCookie(cookie), at });
    }
  }
  const removals: WireChange[] = [];
  for (const id of await loadKnown()) {
    if (seen.has(id)) continue;
    const [domain, path, name] = JSON.parse(id) as [string, string, string];
    if (underRule(domain, rules)) removals.push({ kind: 'remove', cookie: { domain, path, name }, at });
  }
  return { changes: [...removals, ...seen.values()], known: new Set(seen.keys()) };
}

/**
 * Heartbeat, and a full sync when asked or when the domain list changed:
 * what "connected" means. Failures leave the state disconnected with the
 * reason, and the next alarm tries again with a full sync.
 */
async function connect(full: boolean): Promise<SyncState> {
  const settings = await loadSettings();
  if (settings.token === null) return setState({ connected: false, reason: 'not paired with jarsync yet' });
  if (!settings.syncing) return setState({ connected: false, reason: 'syncing is stopped' });
  const before = await loadState();
  try {
    const list = await heartbeat(settings.adminUrl, settings.token);
    const { granted, missing } = await permitted(list.domains);
    const changedDomains = JSON.stringify(list.domains) !== JSON.stringify(before.domains) || JSON.stringify(missing) !== JSON.stringify(before.missing);
    let lastSyncAt = before.lastSyncAt;
    if (full || !before.connected || changedDomains) {
      const { changes, known } = await snapshot(granted);
      // An empty full sync is sent too: jarsync records when the last one was.
      for (const batch of changes.length === 0 ? [[]] : batches(changes)) await sendChanges(settings.adminUrl, settings.token, batch, true);
      await saveKnown(known);
      lastSyncAt = Date.now();
    }
    const notes = [
      ...(missing.length > 0 ? [`no access to ${missing.join(', ')} yet: allow it in the popup`] : []),
      ...(list.syncing ? [] : ['jarsync itself has syncing stopped']),
    ];
    const state = await setState({ connected: true, reason: notes.length > 0 ? notes.join('; ') : null, domains: list.domains, missing, lastSyncAt });
    scheduleFlush();
    return state;
  } catch (error) {
    return setState({ connected: false, reason: reasonOf(error) });
  }
}

function scheduleFlush(): void {
  if (flushTimer !== null || queue.size === 0) return;
  flushTimer = setTimeout(() => {
    flushTimer = null;
    void flush();
  }, FLUSH_DELAY_MS);
}

async function flush(): Promise<void> {
  if (flushing !== null) return flushing;
  flushing = (async () => {
    const settings = await loadSettings();
    if (settings.token === null || !settings.syncing) {
      queue.clear();
      return;
    }
    for (let batch = queue.take(); batch.length > 0; batch = queue.take()) {
      try {
        await sendChanges(settings.adminUrl, settings.token, batch, false);
        const known = await loadKnown();
        for (const change of batch) {
          if (change.kind === 'set') known.add(idOf(change.cookie));
          else known.delete(idOf(change.cookie));
        }
        await saveKnown(known);
      } catch (error) {
        // Kept for the next try; the next heartbeat reconnects with a full sync.
        queue.putBack(batch);
        await setState({ connected: false, reason: reasonOf(error) });
        return;
      }
    }
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

async function handle(message: Message): Promise<unknown> {
  switch (message.type) {
    case 'pair': {
      try {
        const paired = await pair(message.adminUrl, message.code);
        await chrome.storage.local.set({ adminUrl: message.adminUrl, token: paired.token, syncing: true });
        const { missing } = await permitted(paired.domains);
        await setState({ domains: paired.domains, missing });
        return { ok: true, domains: paired.domains, missing, state: await connect(true) };
      } catch (error) {
        // Here a 401 is a wrong code, and jarsync's own words say so.
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    case 'start':
      await chrome.storage.local.set({ syncing: true });
      return connect(true);
    case 'stop': {
      await chrome.storage.local.set({ syncing: false });
      queue.clear();
      const settings = await loadSettings();
      if (settings.token !== null) await disconnect(settings.adminUrl, settings.token).catch(() => undefined);
      return setState({ connected: false, reason: 'syncing is stopped' });
    }
    case 'sync':
      return connect(true);
  }
}

chrome.cookies.onChanged.addListener((info) => {
  queue.push(info, Date.now());
  scheduleFlush();
});

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  void handle(message as Message).then(sendResponse);
  return true;
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === HEARTBEAT_ALARM) void connect(false);
});

async function wake(): Promise<void> {
  await chrome.alarms.create(HEARTBEAT_ALARM, { periodInMinutes: HEARTBEAT_MINUTES });
  await connect(true);
}

chrome.runtime.onStartup.addListener(() => {
  void wake();
});
chrome.runtime.onInstalled.addListener(() => {
  void wake();
});

/** For driving the worker from the DevTools protocol (the browser tests): the same calls the pages make. */
(globalThis as Record<string, unknown>)['jarsyncInterceptor'] = { handle, state: loadState, flush };
