import { describe, expect, it } from 'vitest';
import { TargetRefused } from '../../src/proxy/target-guard.ts';
import { UpstreamTimeout, classifyUpstreamFailure } from '../../src/proxy/upstream-failure.ts';

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('classifyUpstreamFailure', () => {
  it.each([
    [withCode('ECONNREFUSED'), 502, 'JARSYNC_ERR_UPSTREAM_REFUSED'],
    [withCode('ECONNRESET'), 502, 'JARSYNC_ERR_UPSTREAM_RESET'],
    [new Error('socket hang up'), 502, 'JARSYNC_ERR_UPSTREAM_RESET'],
    [withCode('ENOTFOUND'), 502, 'JARSYNC_ERR_UPSTREAM_DNS'],
    [withCode('EAI_AGAIN'), 502, 'JARSYNC_ERR_UPSTREAM_DNS'],
    [withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 502, 'JARSYNC_ERR_UPSTREAM_TLS'],
    [withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 502, 'JARSYNC_ERR_UPSTREAM_TLS'],
    [withCode('ERR_SSL_WRONG_VERSION_NUMBER'), 502, 'JARSYNC_ERR_UPSTREAM_TLS'],
    [withCode('ETIMEDOUT'), 504, 'JARSYNC_ERR_UPSTREAM_TIMEOUT'],
    [new UpstreamTimeout('response', 10), 504, 'JARSYNC_ERR_UPSTREAM_TIMEOUT'],
    [withCode('EHOSTUNREACH'), 502, 'JARSYNC_ERR_UPSTREAM_REFUSED'],
    [withCode('HPE_HEADER_OVERFLOW', 'Parse Error: Header overflow'), 502, 'JARSYNC_ERR_UPSTREAM_BAD_RESPONSE'],
    [withCode('HPE_INVALID_HEADER_TOKEN', 'Parse Error: Invalid header value char'), 502, 'JARSYNC_ERR_UPSTREAM_BAD_RESPONSE'],
    [new TargetRefused('loop', 'origin.test:443'), 508, 'JARSYNC_ERR_LOOP'],
    [new TargetRefused('admin', 'origin.test:443'), 403, 'JARSYNC_ERR_FORBIDDEN'],
    [new Error('something else'), 502, 'JARSYNC_ERR_UPSTREAM'],
  ] as const)('%s → %i %s', (error, status, code) => {
    const failure = classifyUpstreamFailure(error, 'origin.test:443');
    expect(failure.status).toBe(status);
    expect(failure.code).toBe(code);
    expect(failure.text).toContain('origin.test:443');
  });
});
