import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, JarsyncError, deserializeError, serializeError } from '../src/errors.ts';

describe('error codes', () => {
  it('are every one documented in the README', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(JARSYNC_ERR_[A-Z_]+)` \|/gm)].map((match) => match[1]));
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('survive a trip across a thread boundary as plain data', () => {
    const crossed = structuredClone(serializeError(new JarsyncError('JARSYNC_ERR_MINT', 'no')));
    const rebuilt = deserializeError(crossed);
    expect(rebuilt).toBeInstanceOf(JarsyncError);
    expect(rebuilt.code).toBe('JARSYNC_ERR_MINT');
    expect(serializeError(new Error('plain')).code).toBe('JARSYNC_ERR_WORKER');
  });
});
