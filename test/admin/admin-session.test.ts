/**
 * AdminSessions without sockets: what a session cookie opens, for how long,
 * how many at once, and the CSRF check, on an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { AdminSessions } from '../../src/supervisor/admin-session.ts';

function sessions(options: { maxSessions?: number } = {}) {
  let now = 1_000_000;
  const store = new AdminSessions({ port: () => 5556, now: () => now, lifetimeMs: 60_000, ...options });
  return {
    store,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The Cookie header a browser sends back for a Set-Cookie value. */
function cookieOf(setCookie: string): string {
  return setCookie.split(';')[0] ?? '';
}

describe('AdminSessions', () => {
  it('names the cookie with the admin port and sends it HttpOnly, SameSite=Strict, for the lifetime', () => {
    const { store } = sessions();
    const { setCookie } = store.create();
    expect(setCookie).toMatch(/^jarsync_session_5556=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=60; HttpOnly; SameSite=Strict$/);
  });

  it('finds a session by its cookie among others, until it expires', () => {
    const { store, advance } = sessions();
    const { session, setCookie } = store.create();
    const header = `other=1; ${cookieOf(setCookie)}; jarsync_session_9999=x`;
    expect(store.find(header)).toBe(session);
    expect(store.find('jarsync_session_5556=forged')).toBeUndefined();
    expect(store.find(undefined)).toBeUndefined();
    advance(59_999);
    expect(store.find(header)).toBe(session);
    advance(1);
    expect(store.find(header)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('keeps at most maxSessions, forgetting the oldest first', () => {
    const { store } = sessions({ maxSessions: 2 });
    const first = store.create();
    const second = store.create();
    const third = store.create();
    expect(store.size).toBe(2);
    expect(store.find(cookieOf(first.setCookie))).toBeUndefined();
    expect(store.find(cookieOf(second.setCookie))).toBe(second.session);
    expect(store.find(cookieOf(third.setCookie))).toBe(third.session);
  });

  it('checks the CSRF token exactly', () => {
    const { store } = sessions();
    const { session } = store.create();
    expect(store.csrfMatches(session, session.csrfToken)).toBe(true);
    for (const wrong of [undefined, '', session.csrfToken.slice(1), `${session.csrfToken}x`, store.create().session.csrfToken]) {
      expect(store.csrfMatches(session, wrong)).toBe(false);
    }
  });

  it('ends a session and answers with a cookie that removes it', () => {
    const { store } = sessions();
    const { setCookie } = store.create();
    expect(store.end(cookieOf(setCookie))).toBe('jarsync_session_5556=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
    expect(store.find(cookieOf(setCookie))).toBeUndefined();
  });
});
