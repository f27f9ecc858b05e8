/**
 * Cookie values never reach a log line. jarsync logs store errors (through
 * the supervisor's `log`) and prints failures on stderr; refusals go to
 * `refused$` and the admin API's event stream, where dashboards show them.
 * None of these may carry a cookie's value: every report below is made from
 * input whose values are one recognisable secret, and must not contain it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CookieRefusal } from '../../src/actors/cookie-change.ts';
import { JarActor } from '../../src/actors/jar-actor.ts';
import type { JarsyncError } from '../../src/errors.ts';
import type { JarStore, StoredCookie } from '../../src/store/jar-store.ts';
import { MemoryJarStore } from '../../src/store/memory-jar-store.ts';
import { SqliteJarStore } from '../../src/store/sqlite-jar-store.ts';
import { event } from '../actors/jar-harness.ts';

const SECRET = 'S3CRET-7f1d0a';


let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jarsync-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('refusals', () => {
  it.each([
    ['a Set-Cookie for a foreign domain', event('response', 'https://www.example.com/', `sid=${SECRET}; Domain=other.com; Path=/`)],
    ['a Set-Cookie for a public suffix', event('response', 'https://www.example.com/', `sid=${SECRET}; Domain=com`)],
    ['a Secure Set-Cookie over plain http', event('response', 'http://www.example.com/', `sid=${SECRET}; Secure`)],
    ['a broken __Host- Set-Cookie', event('response', 'https://www.example.com/', `__Host-sid=${SECRET}; Path=/app; Secure`)],
    ['SameSite=None without Secure', event('response', 'https://www.example.com/', `sid=${SECRET}; SameSite=None`)],
    ['a Set-Cookie over 4096 bytes', event('response', 'https://www.example.com/', `sid=${SECRET}${'x'.repeat(5000)}`)],
    ['a Set-Cookie that is all value', event('response', 'https://www.example.com/', `${SECRET}; Path=/`)],
    ['a Set-Cookie without a name', event('response', 'https://www.example.com/', `=${SECRET}`)],
    ['a Cookie header piece without "="', event('request', 'https://www.example.com/', `a=1; ${SECRET}; b=2`)],
    ['a Cookie header from an event with a bad URL', event('request', 'https://www.example.com/', `a=${SECRET}`)],
  ])('of %s carry neither the value nor the header as sent', async (_name, input) => {
    const refusals: CookieRefusal[] = [];
    const actor = JarActor.open({ store: new MemoryJarStore(), onRefused: (refusal) => refusals.push(refusal) });
    try {
      // The last case: a URL the jar cannot read, with the header intact otherwise.
      actor.tell(_name.includes('bad URL') ? { ...input, url: 'not a url' } : input);
      await actor.cookies();
      expect(refusals.length).toBeGreaterThan(0);
      for (const refusal of refusals) expect(JSON.stringify(refusal)).not.toContain(SECRET);
    } finally {
      await actor.close();
    }
  });

  it('still name the cookie and keep the attributes that explain the refusal', async () => {
    const refusals: CookieRefusal[] = [];
    const actor = JarActor.open({ store: new MemoryJarStore(), onRefused: (refusal) => refusals.push(refusal) });
    actor.tell(event('response', 'https://www.example.com/', `sid=${SECRET}; Domain=other.com; Path=/`));
    await actor.close();
    expect(refusals.map((refusal) => [refusal.reason, refusal.header])).toEqual([['domain-mismatch', 'sid=***; Domain=other.com; Path=/']]);
  });
});

describe('store errors (logged by the supervisor, printed by the CLI)', () => {
  it('a record without a domain, refused by the memory store, is named but not shown', async () => {
    const store = new MemoryJarStore();
    const record = { origin: 'set-cookie', cookie: { key: 'sid', value: SECRET, path: '/' } } as const satisfies StoredCookie;
    await expect(store.commit({ upserts: [record], deletes: [] })).rejects.toMatchObject({ code: 'JARSYNC_ERR_STORE' });
    const error = (await store.commit({ upserts: [record], deletes: [] }).catch((thrown: unknown) => thrown)) as Error;
    expect(error.message).toContain('"sid"');
    expect(error.message).not.toContain(SECRET);
  });

  it('a record without a domain, refused by the SQLite store, is named but not shown', async () => {
    const store = SqliteJarStore.open(join(dir, 'jar.sqlite'));
    try {
      const error = (await store.commit({ upserts: [{ origin: 'set-cookie', cookie: { key: 'sid', value: SECRET, path: '/' } }], deletes: [] }).catch((thrown: unknown) => thrown)) as JarsyncError;
      expect(error.code).toBe('JARSYNC_ERR_STORE');
      expect(error.message).not.toContain(SECRET);
    } finally {
      await store.close();
    }
  });

  it.each([
    ['not JSON', `{"key":"sid","value":"${SECRET}"`],
    ['JSON that is not a cookie', `{"key":"sid","value":"${SECRET}","path":7}`],
  ])('a row whose cookie column is %s is named by its key, not shown', async (_name, column) => {
    const path = join(dir, 'jar.sqlite');
    await SqliteJarStore.open(path).close();
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO cookies (domain, path, name, origin, expires_at, cookie) VALUES ('example.com', '/', 'sid', 'set-cookie', NULL, ?)").run(column);
    db.close();
    for (const readOnly of [false, true]) {
      let thrown: unknown;
      try {
        await SqliteJarStore.open(path, { readOnly }).load();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'JARSYNC_ERR_STORE' });
      expect((thrown as Error).message).toContain('["example.com","/","sid"]');
      expect((thrown as Error).message).not.toContain(SECRET);
    }
  });

  it('a stored cookie the jar cannot rebuild is reported by its key, not shown', async () => {
    const errors: JarsyncError[] = [];
    const odd: JarStore = {
      // A record another program wrote: a date tough-cookie cannot read.
      load: () => Promise.resolve([{ origin: 'set-cookie', cookie: { key: 'sid', value: SECRET, domain: 'example.com', path: '/', expires: 'not a date' } }]),
      commit: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const actor = JarActor.open({ store: odd, onStoreError: (error) => errors.push(error) });
    await actor.cookies();
    await actor.close();
    expect(errors.map((error) => error.code)).toEqual(['JARSYNC_ERR_STORE']);
    expect(errors[0]?.message).toContain('["example.com","/","sid"]');
    expect(errors[0]?.message).not.toContain(SECRET);
  });
});
