import type { HeadLimits } from '../http1/head-limits.ts';

/**
 * Most bytes of an origin's response head. Chromium refuses a response head
 * over 256 KiB (ERR_RESPONSE_HEADERS_TOO_BIG, net/http/http_stream_parser.cc,
 * kMaxHeaderBufSize): whatever a browser accepts passes, however many
 * Set-Cookie lines it holds, and anything larger is answered 502 rather than
 * parsed.
 */
export const UPSTREAM_MAX_HEADER_SIZE = 256 * 1024;

/**
 * The codec's limits for an origin's response head. The count of field lines
 * is not capped on its own (a field line takes at least 4 bytes, so 256 KiB
 * holds at most 65,536 of them): the size bounds it, and no Set-Cookie line a
 * browser would take is dropped.
 */
export const UPSTREAM_HEAD_LIMITS: HeadLimits = Object.freeze({
  maxStartLineBytes: 8_192,
  maxHeadBytes: UPSTREAM_MAX_HEADER_SIZE,
  maxFields: UPSTREAM_MAX_HEADER_SIZE / 4,
});
