import { describe, expect, it } from 'vitest';
import { proxyAuthRequired, rawAnswer, tooManyConnections } from '../../src/proxy/client-answer.ts';
import { answerFor } from '../../src/proxy/client-errors.ts';
import { parseRawResponse } from '../helpers/raw-http.ts';

const parseError = (code: string, reason?: string): NodeJS.ErrnoException => Object.assign(new Error(reason ?? code), { code, ...(reason === undefined ? {} : { reason }) });

describe('the answers to a client', () => {
  it.each([
    [parseError('HPE_HEADER_OVERFLOW'), 431, 'JARSYNC_ERR_HEADERS_TOO_LARGE', 'over 32768 bytes'],
    [parseError('ERR_HTTP_REQUEST_TIMEOUT'), 408, 'JARSYNC_ERR_CLIENT_TIMEOUT', 'did not arrive in time'],
    [parseError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size'), 400, 'JARSYNC_ERR_BAD_CLIENT_REQUEST', 'HPE_INVALID_CHUNK_SIZE: Invalid character in chunk size'],
    [parseError('HPE_INVALID_METHOD'), 400, 'JARSYNC_ERR_BAD_CLIENT_REQUEST', 'HPE_INVALID_METHOD'],
  ])('%s is answered %i %s', (error, status, code, text) => {
    const answer = answerFor(error, 32_768);
    expect(answer).toMatchObject({ status, code });
    expect(answer.text).toContain(text);
  });

  it('write a whole closing message, with the headers the status needs', () => {
    const busy = parseRawResponse(rawAnswer(tooManyConnections('total')));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toEqual(['1']);
    expect(busy.headers.get('connection')).toEqual(['close']);
    expect(Number(busy.headers.get('content-length')?.[0])).toBe(Buffer.byteLength(busy.body));
    const auth = parseRawResponse(rawAnswer(proxyAuthRequired(false)));
    expect(auth.raw.startsWith('HTTP/1.1 407 Proxy Authentication Required\r\n')).toBe(true);
    expect(auth.headers.get('proxy-authenticate')).toEqual(['Basic realm="jarsync", charset="UTF-8"']);
    expect(auth.headers.get('x-jarsync-error')).toEqual(['JARSYNC_ERR_PROXY_AUTH']);
  });
});
