/**
 * Reading only what differs from a URL's last Cookie header (last-headers.ts)
 * must never change what the jar does. Two actors get the same random traffic;
 * the second gets each header with its pieces padded differently from the
 * header before it, so that it never recognises a piece and weighs every
 * header whole. Their changes, refusals and final jars must be the same.
 */
import { describe, expect, it } from 'vitest';
import type { CookieEvent } from '../../src/cookie-event.ts';
import { openJar, request, response, useJarClock } from './jar-harness.ts';

useJarClock();

const URLS = ['https://www.example.com/', 'https://www.example.com/app/x', 'http://www.example.com/', 'https://api.example.com/', 'http://localhost:3000/'];
const NAMES = ['a', 'b', 'c', '__Secure-s', 'sid'];
const VALUES = ['1', '2', '3'];
const SET_COOKIES = ['sid=9; Path=/; Secure', 'b=7; Domain=example.com; Path=/', 'c=8; Path=/app', 'a=gone; Path=/; Max-Age=0', 'b=gone; Domain=example.com; Path=/; Max-Age=0', 'sid=gone; Path=/; Max-Age=0; Secure'];

function traffic(seed: number, count: number): { readonly plain: CookieEvent[]; readonly padded: CookieEvent[] } {
  let state = seed;
  const random = (below: number): number => {
    state = (state * 48271) % 2147483647;
    return state % below;
  };
  const plain: CookieEvent[] = [];
  const padded: CookieEvent[] = [];
  for (let index = 0; index < count; index += 1) {
    const url = URLS[random(URLS.length)] ?? '';
    if (random(5) === 0) {
      const line = SET_COOKIES[random(SET_COOKIES.length)] ?? '';
      plain.push(response(url, line));
      padded.push(response(url, line));
      continue;
    }
    const pairs = Array.from({ length: 1 + random(4) }, () => `${NAMES[random(NAMES.length)] ?? ''}=${VALUES[random(VALUES.length)] ?? ''}`);
    if (random(10) === 0) pairs.push('novalue');
    plain.push(request(url, pairs.join('; ')));
    // One space more or less than the header before: no piece is ever the same text twice in a row.
    const pad = ' '.repeat(1 + (index % 2));
    padded.push(request(url, pairs.map((pair) => `${pad}${pair}`).join(';')));
  }
  return { plain, padded };
}

describe('JarActor, reading only what differs from the last header', () => {
  it.each([1, 2, 3, 4, 5])('does what weighing every header whole does (traffic %i)', async (seed) => {
    const { plain, padded } = traffic(seed, 400);
    const fast = openJar();
    const whole = openJar();
    await fast.tell(...plain);
    await whole.tell(...padded);
    const summary = (change: { readonly type: string; readonly cookie: { readonly key: string; readonly value: string; readonly domain?: string; readonly path?: string } }): string =>
      `${change.type} ${change.cookie.key}=${change.cookie.value} ${change.cookie.domain ?? ''}${change.cookie.path ?? ''}`;
    expect(fast.changes.map(summary)).toEqual(whole.changes.map(summary));
    expect(fast.refusals.map((refusal) => [refusal.reason, refusal.url])).toEqual(whole.refusals.map((refusal) => [refusal.reason, refusal.url]));
    expect(fast.changes.length).toBeGreaterThan(20);
    expect(await fast.actor.cookies()).toEqual(await whole.actor.cookies());
    expect(fast.actor.stats().unchanged).toBe(whole.actor.stats().unchanged);
  });
});
