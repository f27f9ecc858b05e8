/** The options page: jarsync's admin URL and the pairing code `jarsync start` printed. */
import { originsFor } from './change-queue.js';
import { DEFAULT_ADMIN_URL, loadSettings, loadState } from './settings.js';

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`options.html lacks #${id}`);
  return found;
}

const adminUrl = element('admin-url') as HTMLInputElement;
const code = element('code') as HTMLInputElement;
const result = element('result');
const grant = element('grant') as HTMLButtonElement;

async function show(): Promise<void> {
  const [settings, state] = await Promise.all([loadSettings(), loadState()]);
  if (adminUrl.value === '') adminUrl.value = settings.adminUrl;
  grant.hidden = state.missing.length === 0;
  grant.textContent = `Allow access to ${state.missing.join(', ')}`;
  element('status').textContent = `${state.connected ? 'Interceptor Connected' : 'Interceptor Disconnected'}${state.reason === null ? '' : `: ${state.reason}`}`;
}

element('form').addEventListener('submit', (event) => {
  event.preventDefault();
  result.textContent = 'Pairing…';
  void chrome.runtime
    .sendMessage({ type: 'pair', adminUrl: adminUrl.value.trim() || DEFAULT_ADMIN_URL, code: code.value.trim() })
    .then((answer) => {
      const reply = answer as { ok: boolean; error?: string; domains?: string[] };
      result.textContent = reply.ok ? `Paired. jarsync syncs: ${(reply.domains ?? []).join(', ') || 'no domains yet'}.` : `Not paired: ${reply.error ?? 'unknown error'}`;
      return show();
    });
});

grant.addEventListener('click', () => {
  // Asked in the click itself: Chrome grants host permissions only in answer to a user gesture.
  void loadState()
    .then((state) => chrome.permissions.request({ origins: state.missing.flatMap(originsFor) }))
    .then((granted) => (granted ? chrome.runtime.sendMessage({ type: 'sync' }) : undefined))
    .then(show);
});

chrome.storage.onChanged.addListener(() => {
  void show();
});
void show();
