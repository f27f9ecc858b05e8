import { describe, expect, it } from 'vitest';
import { CookieKeyMap } from '../../src/store/cookie-key-map.ts';

describe('CookieKeyMap', () => {
  it('keys by (domain, path, name), counts, replaces and deletes', () => {
    const map = new CookieKeyMap<number>();
    expect(map.set('example.com', '/', 'a', 1)).toBeUndefined();
    expect(map.set('example.com', '/', 'a', 2)).toBe(1);
    map.set('example.com', '/app', 'a', 3);
    map.set('www.example.com', '/', 'a', 4);
    expect(map.size).toBe(3);
    expect(map.get('example.com', '/', 'a')).toBe(2);
    expect([...(map.domain('example.com')?.keys() ?? [])]).toEqual(['/', '/app']);
    expect(map.delete('example.com', '/', 'a')).toBe(2);
    expect(map.delete('example.com', '/', 'a')).toBeUndefined();
    expect([...map.values()].sort()).toEqual([3, 4]);
    map.delete('example.com', '/app', 'a');
    // Emptied domains are dropped, not kept as empty shells.
    expect(map.domain('example.com')).toBeUndefined();
    map.clear();
    expect(map.size).toBe(0);
  });

  it('keeps apart keys that one joined string could confuse', () => {
    const map = new CookieKeyMap<string>();
    map.set('a', 'b/c', 'd', 'first');
    map.set('a', 'b', '/cd', 'second');
    expect([map.get('a', 'b/c', 'd'), map.get('a', 'b', '/cd'), map.size]).toEqual(['first', 'second', 2]);
  });
});
