/**
 * Byte streams as a connection carries them, read message by message: the
 * request smuggling corpus (what an origin behind the proxy would read as a
 * second request must never get through), pipelining, responses, and the
 * split-anywhere property: however the bytes are cut into reads, the proxy
 * reads the same messages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadOptions, ReadOutcome } from './wire-reader.ts';
import { cutAt, cutPositions, head, latin1, readMessages } from './wire-reader.ts';

const read = (text: string, options?: ReadOptions): ReadOutcome => readMessages([latin1(text)], options);

const SMUGGLED = head('GET /admin HTTP/1.1', 'Host: internal');

describe('the request smuggling corpus, as streams', () => {
  it.each([
    ['CL.TE', head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 6', 'Transfer-Encoding: chunked') + `0\r\n\r\nX${SMUGGLED}`, 'transfer-encoding-with-content-length'],
    ['TE.CL', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Content-Length: 4') + `5c\r\n${SMUGGLED}\r\n0\r\n\r\n`, 'transfer-encoding-with-content-length'],
    ['TE.TE, xchunked', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: xchunked') + `0\r\n\r\n${SMUGGLED}`, 'chunked-not-final'],
    ['TE.TE, chunked then x', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: x') + `0\r\n\r\n${SMUGGLED}`, 'chunked-not-final'],
    ['TE.TE, space before the colon', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding : chunked') + `0\r\n\r\n${SMUGGLED}`, 'space-before-colon'],
    ['TE.TE, duplicated', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked') + `0\r\n\r\n${SMUGGLED}`, 'chunked-twice'],
    ['TE.TE, chunked, identity', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, identity') + `0\r\n\r\n${SMUGGLED}`, 'chunked-not-final'],
    ['TE.TE, obs-fold', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding:', ' chunked') + `0\r\n\r\n${SMUGGLED}`, 'obs-fold'],
    ['TE.TE, NUL', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked\u0000') + `0\r\n\r\n${SMUGGLED}`, 'bad-field-value'],
    ['TE.TE, vertical tab', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding:\u000bchunked') + `0\r\n\r\n${SMUGGLED}`, 'bad-field-value'],
    ['CL.CL', head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 0', 'Content-Length: 44') + SMUGGLED, 'content-lengths-differ'],
    ['a bare LF between fields', 'POST / HTTP/1.1\r\nHost: a\nContent-Length: 44\r\n\r\n' + SMUGGLED, 'bare-lf'],
    ['a bare CR between fields', 'POST / HTTP/1.1\r\nHost: a\rContent-Length: 44\r\n\r\n' + SMUGGLED, 'bare-cr'],
    ['HTTP/1.0 with Transfer-Encoding', head('POST / HTTP/1.0', 'Transfer-Encoding: chunked') + `0\r\n\r\n${SMUGGLED}`, 'transfer-encoding-in-http10'],
  ] as const)('%s: nothing is read', (_, stream, problem) => {
    const outcome = read(stream);
    expect(outcome.problem).toBe(problem);
    expect(outcome.messages).toEqual([]);
  });

  it.each([
    ['a space-padded chunk size', '5 \r\nhello\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['a negative chunk size', '-1\r\n0\r\n\r\n', 'bad-chunk-size'],
    ['an overflowing chunk size', 'ffffffffffffffffff\r\nx\r\n0\r\n\r\n', 'chunk-size-too-large'],
    ['a bare LF in a chunk extension (TERM.EXT)', `2;\nxx\r\n45\r\n0\r\n\r\n${SMUGGLED}`, 'bad-chunk-extension'],
    ['a bare LF ending a chunk size (EXT.TERM)', `2\nxx\r\n0\r\n\r\n${SMUGGLED}`, 'bare-lf'],
    ['no CRLF after chunk data', `2\r\nxxx0\r\n\r\n${SMUGGLED}`, 'missing-chunk-crlf'],
    ['a bare LF after chunk data', `2\r\nxx\n0\r\n\r\n${SMUGGLED}`, 'missing-chunk-crlf'],
    ['a chunk longer than its size', `1\r\nxx\r\n0\r\n\r\n${SMUGGLED}`, 'missing-chunk-crlf'],
    ['a bare LF in the trailers', `0\r\nX: 1\n${SMUGGLED}`, 'bad-trailer'],
  ] as const)('%s: the body fails and nothing after it is read', (_, body, problem) => {
    const outcome = read(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked') + body);
    expect(outcome.problem).toBe(problem);
    expect(outcome.messages.map((message) => [message.start, message.complete])).toEqual([['POST /', false]]);
  });

  it('reads a request whose body looks like a request as one request', () => {
    const outcome = read(head('POST / HTTP/1.1', 'Host: a', `Content-Length: ${SMUGGLED.length}`) + SMUGGLED);
    expect(outcome).toEqual({ messages: [{ start: 'POST /', framing: 'length', body: SMUGGLED, complete: true }], problem: null, rest: '' });
  });

  it('reads chunk data that looks like the end of the body and a request as data', () => {
    const data = `0\r\n\r\n${SMUGGLED}`;
    const body = `${data.length.toString(16)}\r\n${data}\r\n0\r\n\r\n`;
    const outcome = read(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked') + body);
    expect(outcome).toEqual({ messages: [{ start: 'POST /', framing: 'chunked', body, complete: true }], problem: null, rest: '' });
  });

  it('stops at a bad second request after a good first one', () => {
    const outcome = read(head('GET /1 HTTP/1.1', 'Host: a') + head('GET /2 HTTP/1.1', 'Host: a', 'X: \u0000'));
    expect(outcome.problem).toBe('bad-field-value');
    expect(outcome.messages.map((message) => message.start)).toEqual(['GET /1']);
  });

  it('says the body was cut short when the connection closes inside it', () => {
    expect(read(head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 10') + 'abc', { closed: true }).problem).toBe('body-cut-short');
    expect(read(head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked') + '5\r\nab', { closed: true }).problem).toBe('body-cut-short');
  });
});

/** Streams the proxy reads whole: requests, then responses to GET. */
const REQUEST_STREAMS: readonly (readonly [string, string])[] = [
  ['one GET', head('GET http://a.test/ HTTP/1.1', 'Host: a.test', 'Accept: */*')],
  ['empty lines, then a GET', `\r\n\r\n${head('GET / HTTP/1.1', 'Host: a')}`],
  [
    'pipelined GET, POST with a length, chunked PUT, GET',
    head('GET /1 HTTP/1.1', 'Host: a') +
      head('POST /2 HTTP/1.1', 'Host: a', 'Content-Length: 11') +
      'hello world' +
      head('PUT /3 HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked') +
      '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n' +
      head('GET /4 HTTP/1.1', 'Host: a', 'Cookie: a=1'),
  ],
  ['a POST with an empty chunked body, then a partial request', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked') + '0\r\n\r\nGET /next HTT'],
  ['a request with a body that looks like a request', head('POST / HTTP/1.1', 'Host: a', `Content-Length: ${SMUGGLED.length}`) + SMUGGLED],
  ['a CONNECT', head('CONNECT a.test:443 HTTP/1.1', 'Host: a.test:443')],
  ['a browser GET', head('GET http://www.a.test/p?q=1 HTTP/1.1', 'Host: www.a.test', 'User-Agent: Mozilla/5.0 (X11)', 'Cookie: sid=abc; theme=dark', 'Proxy-Connection: keep-alive')],
  ['a chunked body of many chunks', head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked') + `${'3\r\nabc\r\n'.repeat(40)}0\r\n\r\n`],
];

const RESPONSE_STREAMS: readonly (readonly [string, string])[] = [
  ['200 with a length', `${head('HTTP/1.1 200 OK', 'Content-Length: 5', 'Set-Cookie: a=1')}hello`],
  ['100, then 200 chunked, then 204', `${head('HTTP/1.1 100 Continue')}${head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked')}3\r\nabc\r\n0\r\n\r\n${head('HTTP/1.1 204 No Content')}`],
  ['a 101 and the other protocol after it', `${head('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade')}\u0081\u0005hello`],
  ['200 until close', `${head('HTTP/1.0 200 OK', 'Content-Type: text/plain')}everything until the end`],
];

const BROKEN_STREAMS: readonly (readonly [string, string])[] = [
  ['CL.TE', head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 6', 'Transfer-Encoding: chunked') + `0\r\n\r\nX${SMUGGLED}`],
  ['a bad chunk extension after a good request', head('GET / HTTP/1.1', 'Host: a') + head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked') + '2;\nxx\r\n0\r\n\r\n'],
  ['a bare LF in the second head', head('GET / HTTP/1.1', 'Host: a') + 'GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n'],
  ['a request line too long for small limits', `GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: a\r\n\r\n`],
  ['a head too large for small limits', head('GET / HTTP/1.1', 'Host: a', `X: ${'v'.repeat(300)}`)],
];

const SMALL = { maxStartLineBytes: 64, maxHeadBytes: 256, maxFields: 8 };

describe('split anywhere: every cut reads the same messages', () => {
  it.each(REQUEST_STREAMS)('requests: %s', (_, stream) => {
    const bytes = latin1(stream);
    const whole = readMessages([bytes]);
    expect(whole.problem).toBeNull();
    for (const cut of cutPositions(bytes.length)) {
      expect(readMessages(cutAt(bytes, [cut])), `cut at ${cut}`).toEqual(whole);
    }
    const bytewise = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(readMessages(bytewise)).toEqual(whole);
  });

  it.each(RESPONSE_STREAMS)('responses: %s', (_, stream) => {
    const bytes = latin1(stream);
    const whole = readMessages([bytes], { responses: true, closed: true });
    expect(whole.problem).toBeNull();
    for (const cut of cutPositions(bytes.length)) {
      expect(readMessages(cutAt(bytes, [cut]), { responses: true, closed: true }), `cut at ${cut}`).toEqual(whole);
    }
  });

  it.each(BROKEN_STREAMS)('refusals: %s', (_, stream) => {
    const bytes = latin1(stream);
    const summary = (outcome: ReadOutcome): unknown => [outcome.problem, outcome.messages.filter((message) => message.complete).map((message) => message.start)];
    const whole = summary(readMessages([bytes], { limits: SMALL }));
    for (const cut of cutPositions(bytes.length)) {
      expect(summary(readMessages(cutAt(bytes, [cut]), { limits: SMALL })), `cut at ${cut}`).toEqual(whole);
    }
  });

  it('holds for random cuts into many pieces', () => {
    const streams = [...REQUEST_STREAMS.map(([, s]) => s)];
    fc.assert(
      fc.property(fc.constantFrom(...streams), fc.array(fc.nat(), { maxLength: 12 }), (stream, positions) => {
        const bytes = latin1(stream);
        const cuts = positions.map((p) => p % (bytes.length + 1));
        expect(readMessages(cutAt(bytes, cuts))).toEqual(readMessages([bytes]));
      }),
      { numRuns: 300 },
    );
  });

  it('reads the expected messages from the pipelined stream', () => {
    const outcome = readMessages([latin1(REQUEST_STREAMS[2]?.[1] ?? '')]);
    expect(outcome.messages.map((message) => [message.start, message.framing, message.body.length, message.complete])).toEqual([
      ['GET /1', 'none', 0, true],
      ['POST /2', 'length', 11, true],
      ['PUT /3', 'chunked', 42, true],
      ['GET /4', 'none', 0, true],
    ]);
    expect(outcome.rest).toBe('');
  });

  it('reads the expected messages from the response streams', () => {
    const [continued, upgraded] = [RESPONSE_STREAMS[1]?.[1] ?? '', RESPONSE_STREAMS[2]?.[1] ?? ''];
    expect(readMessages([latin1(continued)], { responses: true }).messages.map((message) => [message.start, message.framing])).toEqual([
      ['100 Continue', 'interim'],
      ['200 OK', 'chunked'],
      ['204 No Content', 'none'],
    ]);
    expect(readMessages([latin1(upgraded)], { responses: true })).toMatchObject({
      messages: [{ start: '101 Switching Protocols', framing: 'tunnel' }],
      rest: '\u0081\u0005hello',
    });
  });
});
