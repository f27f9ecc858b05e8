/**
 * The Exports view: the jar as a file, in the formats `jarsync cookies
 * --format` writes and `GET /api/cookies/export` answers (the same bytes):
 * cookies.txt, tough-cookie JSON, Playwright storageState, and the Cookie
 * header for a URL. The file is fetched first, so that a bad domain or URL is
 * shown by the form rather than downloaded as an error.
 */
import { ApiError } from './api.js';
import { byId } from './dom.js';

/** The file name each format is saved as (the server's Content-Disposition says the same). */
const FILE_NAMES = /** @type {const} */ ({
  netscape: 'cookies.txt',
  json: 'cookies.json',
  'storage-state': 'storage-state.json',
  header: 'cookie-header.txt',
});

export function exportsTab() {
  const form = byId('export-form', HTMLFormElement);
  const format = byId('export-format', HTMLSelectElement);
  const domain = byId('export-domain', HTMLInputElement);
  const url = byId('export-url', HTMLInputElement);
  const error = byId('export-error', HTMLElement);
  const cli = byId('export-cli', HTMLElement);
  const api = byId('export-api', HTMLElement);

  /** The query of the export the form describes. */
  function query() {
    const params = new URLSearchParams({ format: format.value });
    if (domain.value.trim() !== '') params.set('domain', domain.value.trim());
    if (url.value.trim() !== '') params.set('url', url.value.trim());
    return params;
  }

  /** Shows the same export as a command and as an API call. */
  function describe() {
    const words = ['jarsync cookies', `--format ${format.value}`];
    if (domain.value.trim() !== '') words.push(`--domain ${domain.value.trim()}`);
    if (url.value.trim() !== '') words.push(`--url '${url.value.trim()}'`);
    cli.textContent = words.join(' ');
    api.textContent = `GET /api/cookies/export?${query().toString()}`;
    url.required = format.value === 'header';
  }

  for (const field of [format, domain, url]) field.addEventListener('input', describe);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (format.value === 'header' && url.value.trim() === '') {
      error.textContent = 'The Cookie header is the one sent to a URL: enter the URL.';
      url.setAttribute('aria-invalid', 'true');
      url.focus();
      return;
    }
    void (async () => {
      try {
        const response = await fetch(`/api/cookies/export?${query().toString()}`, { credentials: 'same-origin', cache: 'no-store' });
        if (!response.ok) {
          const body = /** @type {{ error?: string, code?: string } | null} */ (await response.json().catch(() => null));
          throw new ApiError(response.status, body?.code ?? 'UNKNOWN', body?.error ?? `The admin API answered ${response.status}.`);
        }
        const blob = await response.blob();
        const link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = FILE_NAMES[/** @type {keyof typeof FILE_NAMES} */ (format.value)] ?? 'cookies.txt';
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => {
          URL.revokeObjectURL(link.href);
        }, 10_000);
        error.textContent = '';
        url.removeAttribute('aria-invalid');
      } catch (failure) {
        error.textContent = failure instanceof Error ? failure.message : String(failure);
      }
    })();
  });
  describe();
}
