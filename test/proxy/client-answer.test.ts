import { describe, expect, it } from 'vitest';
import { proxyAuthRequired, rawAnswer, tooManyConnections } from '../../src/proxy/client-answer.ts';
import { parseRawResponse } from '../helpers/raw-http.ts';

describe('the answers to a client', () => {
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
