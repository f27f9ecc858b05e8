import { describe, expect, it } from 'vitest';
import { stripHopByHop } from '../../src/proxy/hop-by-hop.ts';

const pairs = (raw: readonly string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
};

describe('stripHopByHop', () => {
  it.each([
    ['Connection itself', ['Connection', 'keep-alive', 'Accept', '*/*'], [['Accept', '*/*']]],
    ['fields Connection names, in any case and across instances', ['Connection', 'X-A', 'connection', 'x-b , close', 'X-A', '1', 'x-B', '2', 'X-C', '3'], [['X-C', '3']]],
    ['Proxy-Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade', ['Proxy-Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'Trailer', 'X', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'Accept', '*/*'], [['Accept', '*/*']]],
    ['proxy credentials', ['Proxy-Authorization', 'Basic eA==', 'Proxy-Authenticate', 'Basic', 'Authorization', 'Bearer t'], [['Authorization', 'Bearer t']]],
    ['repeated end-to-end fields in order', ['Set-Cookie', 'a=1', 'X', 'y', 'Set-Cookie', 'b=2'], [['Set-Cookie', 'a=1'], ['X', 'y'], ['Set-Cookie', 'b=2']]],
  ] as const)('removes %s', (_, raw, expected) => {
    expect(pairs(stripHopByHop(raw))).toEqual(expected);
  });

  it('keeps Upgrade and asks for it again for a protocol switch', () => {
    expect(pairs(stripHopByHop(['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], { keepUpgrade: true }))).toEqual([
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Key', 'k'],
      ['Connection', 'Upgrade'],
    ]);
  });

  it('replaces every Host with the target authority, first', () => {
    expect(pairs(stripHopByHop(['Accept', '*/*', 'Host', 'a', 'host', 'b'], { host: 'example.test:8080' }))).toEqual([
      ['Host', 'example.test:8080'],
      ['Accept', '*/*'],
    ]);
  });

  it('drops Expect only when asked', () => {
    expect(pairs(stripHopByHop(['Expect', '100-continue']))).toEqual([['Expect', '100-continue']]);
    expect(stripHopByHop(['Expect', '100-continue'], { dropExpect: true })).toEqual([]);
  });
});
