import { describe, expect, it, vi } from 'vitest';
import { JarActor } from '../../src/actors/jar-actor.ts';
import { JarsyncError } from '../../src/errors.ts';
import type { JarCommit, JarStore, StoredCookie } from '../../src/store/jar-store.ts';
import { MemoryJarStore } from '../../src/store/memory-jar-store.ts';
import { T0, WWW, names, nextMacrotask, openJar, request, response, useJarClock } from './jar-harness.ts';

useJarClock();

describe('JarActor, mailbox and lifecycle', () => {
  it('refuses events beyond the mailbox capacity, counts them, and applies the queued ones', async () => {
    const jar = openJar({ mailboxCapacity: 3 });
    const accepted = [1, 2, 3, 4, 5].map((index) => jar.actor.tell(response(WWW, `c${index}=1`)));
    expect(accepted).toEqual([true, true, true, false, false]);
    // A query needs a place in the mailbox too.
    await expect(jar.actor.cookies()).rejects.toMatchObject({ code: 'JARSYNC_ERR_MAILBOX_FULL' });
    expect(jar.actor.stats().mailbox).toEqual({ size: 3, capacity: 3, refused: 3, refusedClosed: 0 });
    await jar.actor.flush();
    expect(names(await jar.actor.cookies())).toEqual(['c1=1', 'c2=1', 'c3=1']);
    expect(jar.actor.stats().mailbox.size).toBe(0);
  });

  it('says how much room its mailbox has, and calls onRoom as it makes some', async () => {
    let made = 0;
    const jar = openJar({ mailboxCapacity: 3, onRoom: () => (made += 1) });
    expect(jar.actor.room()).toBe(3);
    jar.actor.tell(response(WWW, 'a=1'));
    jar.actor.tell(response(WWW, 'b=1'));
    expect(jar.actor.room()).toBe(1);
    await jar.actor.flush();
    expect(jar.actor.room()).toBe(3);
    expect(made).toBeGreaterThan(0);
    const closing = jar.actor.close();
    expect(jar.actor.room()).toBe(0);
    await closing;
  });

  it('commits changes within the flush interval, in one batch, without flush()', async () => {
    const jar = openJar({ flushIntervalMs: 50 });
    await jar.tell(response(WWW, 'a=1'), response(WWW, 'b=1'));
    expect(jar.store.commits).toBe(0);
    expect(jar.actor.stats().store.pendingWrites).toBe(2);
    vi.advanceTimersByTime(49);
    await nextMacrotask();
    expect(jar.store.commits).toBe(0);
    vi.advanceTimersByTime(1);
    await nextMacrotask();
    expect(jar.store.commits).toBe(1);
    expect(jar.store.records().map((record) => record.cookie.key)).toEqual(['a', 'b']);
    expect(jar.actor.stats().store).toMatchObject({ pendingWrites: 0, commits: 1, lastCommitAt: T0 + 50 });
  });

  it('keeps the jar and the pending writes when the store fails, reports it, and retries', async () => {
    const inner = new MemoryJarStore();
    let failures = 1;
    const flaky: JarStore = {
      load: () => inner.load(),
      close: () => inner.close(),
      commit: (batch: JarCommit) => {
        if (failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('disk full'));
        }
        return inner.commit(batch);
      },
    };
    const jar = openJar({ store: flaky });
    await jar.tell(response(WWW, 'a=1'));
    await expect(jar.actor.flush()).rejects.toMatchObject({ code: 'JARSYNC_ERR_STORE' });
    expect(jar.storeErrors.map((error) => error.code)).toEqual(['JARSYNC_ERR_STORE']);
    expect(jar.storeErrors[0]?.message).toContain('disk full');
    expect(jar.actor.stats().store).toMatchObject({ errors: 1, pendingWrites: 1, commits: 0, lastError: expect.stringContaining('disk full') as string });
    expect(names(await jar.actor.cookies())).toEqual(['a=1']);
    vi.advanceTimersByTime(50); // the retry
    await nextMacrotask();
    expect(inner.records().map((record) => record.cookie.value)).toEqual(['1']);
    expect(jar.actor.stats().store).toMatchObject({ errors: 1, pendingWrites: 0, commits: 1 });
  });

  it('close() processes what is queued, commits it, closes the store and refuses what comes after', async () => {
    const jar = openJar();
    for (let index = 0; index < 10; index += 1) jar.actor.tell(response(WWW, `c${index}=1`));
    const closing = jar.actor.close();
    expect(jar.actor.status).toBe('closing');
    expect(jar.actor.tell(response(WWW, 'late=1'))).toBe(false);
    await expect(jar.actor.cookies()).rejects.toMatchObject({ code: 'JARSYNC_ERR_NOT_RUNNING' });
    await closing;
    expect(jar.actor.status).toBe('closed');
    expect(jar.store.closed).toBe(true);
    expect(jar.store.records()).toHaveLength(10);
    expect(jar.actor.stats().mailbox.refusedClosed).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(jar.actor.close()).toBe(closing);
  });

  it('bounds close(): a commit that never finishes is given up after closeTimeoutMs', async () => {
    let closed = false;
    const hanging: JarStore = {
      load: () => Promise.resolve([]),
      commit: () => new Promise<void>(() => undefined),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    const jar = openJar({ store: hanging, closeTimeoutMs: 1000 });
    await jar.tell(response(WWW, 'a=1'));
    const closing = jar.actor.close();
    const settled = closing.then(
      () => 'resolved',
      (error: unknown) => (error instanceof JarsyncError ? error.code : 'other'),
    );
    await nextMacrotask();
    expect(jar.actor.status).toBe('closing');
    vi.advanceTimersByTime(1000);
    expect(await settled).toBe('JARSYNC_ERR_STORE');
    expect(jar.actor.status).toBe('closed');
    expect(closed).toBe(true);
  });

  it('runs with an empty jar, and says so, when the store cannot be loaded', async () => {
    const inner = new MemoryJarStore();
    const unreadable: JarStore = {
      load: () => Promise.reject(new Error('permission denied')),
      commit: (batch) => inner.commit(batch),
      close: () => inner.close(),
    };
    const jar = openJar({ store: unreadable });
    await jar.tell(response(WWW, 'a=1'));
    expect(jar.storeErrors.map((error) => [error.code, error.message.includes('permission denied')])).toEqual([['JARSYNC_ERR_STORE', true]]);
    expect(jar.actor.stats().store.errors).toBe(1);
    await jar.actor.flush();
    expect(inner.records().map((record) => record.cookie.key)).toEqual(['a']);
  });

  it('loads the stored cookies at open, with their origin, before it processes anything', async () => {
    const records: StoredCookie[] = [
      { origin: 'request', cookie: { key: 'seen', value: 'old', domain: 'www.example.com', path: '/', hostOnly: true, creation: new Date(T0 - 1000).toISOString() } },
      { origin: 'set-cookie', cookie: { key: 'sid', value: 'x', domain: 'www.example.com', path: '/', hostOnly: true, httpOnly: true, creation: new Date(T0 - 2000).toISOString() } },
    ];
    const jar = openJar({ records });
    jar.actor.tell(request(WWW, 'seen=new; sid=y'));
    expect(names(await jar.actor.cookies({ url: WWW }))).toEqual(['sid=x', 'seen=new']);
    expect(jar.changes).toMatchObject([{ type: 'updated', cookie: { key: 'seen', value: 'new' }, previous: { value: 'old' } }]);
  });

  it('rejects options out of range with JARSYNC_ERR_BAD_OPTION', () => {
    for (const options of [{ mailboxCapacity: 0 }, { sliceSize: 1.5 }, { flushIntervalMs: -1 }, { closeTimeoutMs: Number.NaN }]) {
      expect(() => JarActor.open({ store: new MemoryJarStore(), ...options })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }) as Error);
    }
  });
});
