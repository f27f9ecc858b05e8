/** `--cdp` and the `cdp` option: the endpoint is checked once, before anything starts. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/parse-args.ts';
import { JarsyncError } from '../../src/errors.ts';
import { resolveOptions } from '../../src/options.ts';

const ENV = { HOME: '/home/test' };

describe('--cdp', () => {
  it.each([
    ['http://127.0.0.1:9222', 'http://127.0.0.1:9222'],
    ['http://localhost:9222/', 'http://localhost:9222'],
    ['http://[::1]:9333', 'http://[::1]:9333'],
  ])('takes %s as %s', (given, endpoint) => {
    expect(parseArgs(['start', '--cdp', given], ENV)).toMatchObject({ kind: 'start', options: { cdp: endpoint } });
  });

  it.each(['ws://127.0.0.1:9222/devtools/browser/x', 'http://127.0.0.1:9222/json', '127.0.0.1:9222', 'https://127.0.0.1:9222'])('refuses %s, naming the flag', (given) => {
    try {
      parseArgs(['start', '--cdp', given], ENV);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JarsyncError);
      expect((error as JarsyncError).code).toBe('JARSYNC_ERR_BAD_OPTION');
      expect((error as JarsyncError).message).toContain('--cdp');
    }
  });

  it('is off unless given, and the library checks it too', () => {
    expect(resolveOptions({}).cdp).toBeNull();
    expect(resolveOptions({ cdp: 'http://127.0.0.1:9222' })).toMatchObject({ cdp: 'http://127.0.0.1:9222', cdpPollIntervalMs: 1_000 });
    expect(() => resolveOptions({ cdp: 'file:///x' })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }));
    expect(() => resolveOptions({ cdpPollIntervalMs: 0 })).toThrow(expect.objectContaining({ code: 'JARSYNC_ERR_BAD_OPTION' }));
  });
});
