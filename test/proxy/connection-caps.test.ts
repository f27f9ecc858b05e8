import { describe, expect, it } from 'vitest';
import { ConnectionCaps } from '../../src/proxy/connection-caps.ts';

/** Two workers' caps over one shared count, as the supervisor sets them up. */
function twoWorkers(max: number, perClient = 0): [ConnectionCaps, ConnectionCaps, Int32Array] {
  const counts = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  return [new ConnectionCaps({ counts, slot: 0, max, perClient }), new ConnectionCaps({ counts, slot: 1, max, perClient }), counts];
}

describe('ConnectionCaps', () => {
  it('holds the total across workers, each counting in its own slot', () => {
    const [a, b, counts] = twoWorkers(3);
    expect(a.acquire('10.0.0.1')).toBeNull();
    expect(b.acquire('10.0.0.2')).toBeNull();
    expect(a.acquire('10.0.0.3')).toBeNull();
    expect(b.acquire('10.0.0.4')).toBe('total');
    expect(a.acquire('10.0.0.4')).toBe('total');
    expect([...counts]).toEqual([2, 1]);
    expect(a.total).toBe(3);
    a.release('10.0.0.1');
    expect(b.acquire('10.0.0.4')).toBeNull();
    expect([...counts]).toEqual([1, 2]);
  });

  it('caps each client address within its worker, 0 meaning no such cap', () => {
    const [a, b] = twoWorkers(100, 2);
    expect(a.acquire('10.0.0.1')).toBeNull();
    expect(a.acquire('10.0.0.1')).toBeNull();
    expect(a.acquire('10.0.0.1')).toBe('client');
    expect(a.acquire('10.0.0.2')).toBeNull();
    // Another worker counts its own.
    expect(b.acquire('10.0.0.1')).toBeNull();
    a.release('10.0.0.1');
    expect(a.acquire('10.0.0.1')).toBeNull();
    const [open] = twoWorkers(100, 0);
    for (let i = 0; i < 50; i += 1) expect(open.acquire('10.0.0.1')).toBeNull();
  });

  it('gives nothing back for a connection it never admitted', () => {
    const [a, , counts] = twoWorkers(1);
    expect(a.acquire('10.0.0.1')).toBeNull();
    expect(a.acquire('10.0.0.2')).toBe('total');
    a.release('10.0.0.2');
    expect([...counts]).toEqual([1, 0]);
  });

  it('counts nothing across workers without shared counts', () => {
    const caps = new ConnectionCaps({ counts: null, slot: 0, max: 1, perClient: 0 });
    expect(caps.acquire('10.0.0.1')).toBeNull();
    expect(caps.acquire('10.0.0.1')).toBeNull();
    expect(caps.total).toBe(0);
  });
});
