/**
 * What the extension keeps in chrome.storage.local, shared by the service
 * worker, the options page and the popup.
 */

export interface Settings {
  /** jarsync's admin API, `http://127.0.0.1:5556`. */
  readonly adminUrl: string;
  /** The scoped token pairing gave; null before pairing. */
  readonly token: string | null;
  /** Start/Stop Syncing in the popup. */
  readonly syncing: boolean;
}

export interface SyncState {
  readonly connected: boolean;
  /** Why it is not connected; null when it is. */
  readonly reason: string | null;
  /** jarsync's domain list, as last read. */
  readonly domains: readonly string[];
  /** Domains the extension lacks host permission for (asked in the popup or options page). */
  readonly missing: readonly string[];
  /** When the last full sync went through (ms since the epoch). */
  readonly lastSyncAt: number | null;
}

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:5556';

export const INITIAL_STATE: SyncState = { connected: false, reason: 'not paired with jarsync yet', domains: [], missing: [], lastSyncAt: null };

export async function loadSettings(): Promise<Settings> {
  const stored = await chrome.storage.local.get(['adminUrl', 'token', 'syncing']);
  return {
    adminUrl: typeof stored['adminUrl'] === 'string' ? stored['adminUrl'] : DEFAULT_ADMIN_URL,
    token: typeof stored['token'] === 'string' ? stored['token'] : null,
    syncing: stored['syncing'] !== false,
  };
}

export async function loadState(): Promise<SyncState> {
  const stored = await chrome.storage.local.get('state');
  const state = stored['state'];
  return typeof state === 'object' && state !== null ? (state as SyncState) : INITIAL_STATE;
}

/** Messages the pages send the service worker. */
export type Message =
  | { readonly type: 'pair'; readonly adminUrl: string; readonly code: string }
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'sync' };
