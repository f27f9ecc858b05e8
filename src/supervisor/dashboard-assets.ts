/**
 * The dashboard's files (src/dashboard/), read once when the admin API starts
 * and served from memory. They are plain JavaScript modules with JSDoc types,
 * served exactly as they are in the repository: no build step, no bundler,
 * no transform at start (ARCHITECTURE.md says why).
 *
 *   index.html        the page; `@CSRF@` is replaced with the session's CSRF token
 *   signed-out.html   the page for a wrong token or no session; `@MESSAGE@` says which
 *   *.js, *.css       /assets/<name>
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** What may be asked for under /assets/: a flat name, so no path can climb out of the folder. */
export const ASSET_NAME = /^[a-z0-9-]+\.(?:js|css|svg)$/;

export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface DashboardAssets {
  /** The dashboard page for a session with this CSRF token. */
  page(csrfToken: string): string;
  /** The page shown instead, saying why (plain text, escaped here). */
  signedOut(message: string): string;
  asset(name: string): DashboardAsset | undefined;
}

export async function loadDashboardAssets(dir: string = DASHBOARD_DIR): Promise<DashboardAssets> {
  const names = await readdir(dir);
  const assets = new Map<string, DashboardAsset>();
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType !== undefined && ASSET_NAME.test(name)) assets.set(name, { body: await readFile(join(dir, name)), contentType });
  }
  const index = await readFile(join(dir, 'index.html'), 'utf8');
  const signedOut = await readFile(join(dir, 'signed-out.html'), 'utf8');
  return {
    // The tokens are base64url: nothing in them needs escaping inside an attribute.
    page: (csrfToken) => index.replace('@CSRF@', csrfToken),
    signedOut: (message) => signedOut.replace('@MESSAGE@', escapeHtml(message)),
    asset: (name) => assets.get(name),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
