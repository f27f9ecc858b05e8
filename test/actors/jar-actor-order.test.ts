/**
 * Latest wins by when a header was seen: events from different workers, or a
 * request sent just before the response that changed its cookie, can reach the
 * jar out of order.
 */
import { describe, expect, it, vi } from 'vitest';
import { REQUEST_AFTER_DELETION_MS } from '../../src/actors/held-cookies.ts';
import { T0, WWW, names, openJar, request, response, useJarClock } from './jar-harness.ts';

useJarClock();

describe('JarActor, order of observation', () => {
  it('ignores a Set-Cookie seen before the one the jar applied', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=new', T0 + 10), response(WWW, 'a=old', T0 + 5));
    expect(names(await jar.actor.cookies())).toEqual(['a=new']);
    expect(jar.actor.stats().stale).toBe(1);
  });

  it('does not bring back a deleted cookie with a request seen before the deletion', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'gone=soon', T0));
    await jar.tell(response(WWW, 'gone=; Max-Age=0', T0 + 20));
    // A favicon request sent at T0 + 10, before the browser saw the deletion, arrives now.
    await jar.tell(request(`${WWW}favicon.ico`, 'gone=soon', T0 + 10));
    expect(await jar.actor.cookies()).toEqual([]);
    expect(jar.changes.map((change) => change.type)).toEqual(['added', 'deleted']);
  });

  it('does not bring back a deleted cookie with a late Set-Cookie seen before the deletion', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1', T0), response(WWW, 'a=; Max-Age=0', T0 + 20), response(WWW, 'a=2', T0 + 10));
    expect(await jar.actor.cookies()).toEqual([]);
  });

  it('does not bring back a deleted cookie with a request seen just after the deletion carrying the old value', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'gone=soon', T0));
    await jar.tell(response(WWW, 'gone=; Max-Age=0', T0 + 20));
    // Sent on another connection before the browser applied the deletion, seen by the proxy after it.
    await jar.tell(request(`${WWW}favicon.ico`, 'gone=soon', T0 + 35));
    expect(await jar.actor.cookies()).toEqual([]);
    expect(jar.actor.stats().stale).toBe(1);
  });

  it('takes the old value from a request again once the window after the deletion has passed', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1', T0), response(WWW, 'a=; Max-Age=0', T0 + 20));
    await jar.tell(request(WWW, 'a=1', T0 + 20 + REQUEST_AFTER_DELETION_MS + 1));
    expect(names(await jar.actor.cookies())).toEqual(['a=1']);
  });

  it('lets a header seen after the deletion set the cookie again', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1', T0), response(WWW, 'a=; Max-Age=0', T0 + 20));
    await jar.tell(request(WWW, 'a=by-script', T0 + 30));
    expect(names(await jar.actor.cookies())).toEqual(['a=by-script']);
  });

  it('moves a cookie’s time forward when an identical header confirms it', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1', T0), response(WWW, 'a=1', T0 + 50), response(WWW, 'a=2', T0 + 40));
    expect(names(await jar.actor.cookies())).toEqual(['a=1']);
  });

  it('forgets deletions after a minute: a header that late is taken as new', async () => {
    const jar = openJar();
    await jar.tell(response(WWW, 'a=1', T0), response(WWW, 'a=; Max-Age=0', T0 + 20));
    vi.setSystemTime(T0 + 120_000);
    // Another deletion, two minutes on, pushes the first one out of the window.
    await jar.tell(response(WWW, 'b=1', T0 + 119_000), response(WWW, 'b=; Max-Age=0', T0 + 120_000));
    await jar.tell(request(WWW, 'a=again', T0 + 10));
    expect(names(await jar.actor.cookies())).toEqual(['a=again']);
  });
});
