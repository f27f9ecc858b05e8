/** The toolbar popup: connected or not and why, the domains, the last sync, Start/Stop Syncing. */
import { originsFor } from './change-queue.js';
import { loadSettings, loadState, type Message } from './settings.js';

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`popup.html lacks #${id}`);
  return found;
}

async function render(): Promise<void> {
  const [settings, state] = await Promise.all([loadSettings(), loadState()]);
  element('title').textContent = state.connected ? 'Interceptor Connected' : 'Interceptor Disconnected';
  element('title').className = state.connected ? 'connected' : 'disconnected';
  element('reason').textContent = state.reason ?? '';
  const list = element('domains');
  list.replaceChildren(
    ...state.domains.map((domain) => {
      const item = document.createElement('li');
      item.textContent = state.missing.includes(domain) ? `${domain} (no access yet)` : domain;
      return item;
    }),
  );
  element('last-sync').textContent = state.lastSyncAt === null ? 'never' : new Date(state.lastSyncAt).toLocaleString();
  const toggle = element('toggle') as HTMLButtonElement;
  toggle.textContent = settings.syncing ? 'Stop Syncing' : 'Start Syncing';
  toggle.hidden = settings.token === null;
  element('grant').hidden = state.missing.length === 0;
  element('pair').hidden = settings.token !== null;
}

async function send(message: Message): Promise<void> {
  await chrome.runtime.sendMessage(message);
  await render();
}

element('toggle').addEventListener('click', () => {
  void loadSettings().then((settings) => send({ type: settings.syncing ? 'stop' : 'start' }));
});
element('grant').addEventListener('click', () => {
  // Asked in the click itself: Chrome grants host permissions only in answer to a user gesture.
  void loadState()
    .then((state) => chrome.permissions.request({ origins: state.missing.flatMap(originsFor) }))
    .then((granted) => (granted ? send({ type: 'sync' }) : undefined));
});
element('pair').addEventListener('click', () => {
  void chrome.runtime.openOptionsPage();
});
chrome.storage.onChanged.addListener(() => {
  void render();
});
void render();
