/**
 * The dashboard's page and its session, at the HTTP level: the token traded
 * for an HttpOnly, SameSite=Strict cookie and dropped from the address, the
 * CSRF token a session needs to change anything, the page's headers, and the
 * assets. test/dashboard/ drives the page itself in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/supervisor/admin-session.ts';
import { startAdminHarness, type AdminHarness } from './admin-harness.ts';

let harness: AdminHarness;

beforeAll(async () => {
  harness = await startAdminHarness();
});
afterAll(async () => {
  await harness.close();
});

/** Opens the dashboard link; returns the session cookie (`name=value`) and the page's CSRF token. */
async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const traded = await fetch(`${harness.base}/?token=${encodeURIComponent(harness.token)}`, { redirect: 'manual' });
  const setCookie = traded.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const page = await (await fetch(`${harness.base}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="jarsync-csrf" content="([^"]+)">/.exec(page)?.[1] ?? '';
  return { cookie, csrf };
}

describe('signing in', () => {
  it('trades the token for a session cookie and sends the browser to / without it', async () => {
    const response = await fetch(`${harness.base}/?token=${encodeURIComponent(harness.token)}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^jarsync_session_${new URL(harness.base).port}=[A-Za-z0-9_-]{43}; `));
    expect(setCookie).toContain('; HttpOnly');
    expect(setCookie).toContain('; SameSite=Strict');
    expect(setCookie).toContain('; Path=/');
    expect(setCookie).not.toContain(harness.token);
  });

  it('answers a wrong token, or no session, with 401 and a page saying how to open the dashboard', async () => {
    for (const path of ['/?token=wrong', `/?token=${harness.token.slice(1)}`, '/']) {
      const response = await fetch(`${harness.base}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(401);
      expect(response.headers.get('set-cookie'), path).toBeNull();
      const page = await response.text();
      expect(page).toContain('dashboard: http://127.0.0.1:5556/?token=');
      expect(page).not.toContain('jarsync-csrf');
    }
    const forged = await fetch(`${harness.base}/api/status`, { headers: { cookie: `jarsync_session_${new URL(harness.base).port}=forged` } });
    expect(forged.status).toBe(401);
  });

  it('serves the page with a strict Content-Security-Policy and the session CSRF token', async () => {
    const { cookie, csrf } = await signIn();
    const response = await fetch(`${harness.base}/`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('a session', () => {
  it('reads with the cookie alone, and changes only with the CSRF token', async () => {
    const { cookie, csrf } = await signIn();
    expect((await fetch(`${harness.base}/api/status`, { headers: { cookie } })).status).toBe(200);

    const add = (headers: Record<string, string>) =>
      fetch(`${harness.base}/api/domains`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ domain: 'csrf.test' }) });
    const refused = await add({});
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('JARSYNC_ERR_FORBIDDEN');
    expect((await add({ [CSRF_HEADER]: 'wrong' })).status).toBe(403);
    expect(harness.supervisor.domains().map((rule) => rule.spec)).not.toContain('csrf.test');
    expect((await add({ [CSRF_HEADER]: csrf })).status).toBe(201);
    expect(harness.supervisor.domains().map((rule) => rule.spec)).toContain('csrf.test');
  });

  it('ends when signed out', async () => {
    const { cookie, csrf } = await signIn();
    const out = await fetch(`${harness.base}/api/session`, { method: 'DELETE', headers: { cookie, [CSRF_HEADER]: csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await fetch(`${harness.base}/api/status`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('assets', () => {
  it('serves the scripts and the style sheet without a session, and nothing outside the folder', async () => {
    const script = await fetch(`${harness.base}/assets/main.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${harness.base}/assets/dashboard.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of ['/assets/nope.js', '/assets/tsconfig.json', '/assets/..%2Fsupervisor%2Fadmin-server.ts', '/assets/index.html']) {
      expect((await fetch(`${harness.base}${path}`)).status, path).toBe(404);
    }
  });
});
