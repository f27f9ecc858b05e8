/**
 * Reads a request head from a client (RFC 9112 §3, §5), strictly: what this
 * parser accepts, every other parser reads the same way.
 *
 *   request-line = method SP request-target SP HTTP-version CRLF
 *   head         = request-line *( field-line CRLF ) CRLF
 *
 * Decisions:
 * - Only CRLF ends a line. RFC 9112 §2.2 lets a recipient accept a bare LF; a
 *   proxy that does so in a head but not in a chunk line (or the other way
 *   round) reads message boundaries differently from the origin behind it, and
 *   clients send CRLF. A bare LF is refused (400), as Node's parser does, so
 *   moving off node:http changes nothing for well-behaved clients.
 * - A bare CR, obs-fold, whitespace before a colon, NUL or another control in
 *   a value: refused (400).
 * - Empty lines before the request line are skipped (RFC 9112 §2.2: a server
 *   "SHOULD ignore at least one empty line (CRLF) received prior to the
 *   request-line"), counted in the head's size.
 * - Exactly one Host in an HTTP/1.1 request, at most one in HTTP/1.0 (RFC 9112
 *   §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
 *   HTTP/1.1 request message that lacks a Host header field and to any request
 *   message that contains more than one Host header field line"). A CONNECT
 *   may lack it: its target is the authority, and it is never forwarded.
 * - The request-target is one run of visible bytes (obs-text allowed, as some
 *   clients send raw UTF-8 in paths); its form must fit the method.
 */
import { CR, DEL, LF, SP, TCHAR } from './char-classes.ts';
import type { HeadIncomplete } from './head-end.ts';
import { endMayHaveArrived, headWindow, incompleteHead } from './head-end.ts';
import { FieldKind, kindBit } from './field-kind.ts';
import type { FieldList } from './field-list.ts';
import { HEAD_INCOMPLETE, buildFieldList, newFieldScan, scanFieldLines } from './field-lines.ts';
import type { HeadLimits } from './head-limits.ts';
import { REQUEST_HEAD_LIMITS } from './head-limits.ts';
import type { HttpVersion } from './http-version.ts';
import { VERSION_LENGTH, isHttpVersion, readVersion } from './http-version.ts';
import type { RequestTargetForm } from './request-target.ts';
import { targetFormOf } from './request-target.ts';
import type { WireError, WireProblem } from './wire-problem.ts';
import { wireError } from './wire-problem.ts';

export interface RequestHead {
  readonly kind: 'request';
  /** Case-sensitive, as sent (RFC 9110 §9.1). */
  readonly method: string;
  /** The request-target exactly as sent (latin1). */
  readonly target: string;
  readonly form: RequestTargetForm;
  readonly version: HttpVersion;
  readonly fields: FieldList;
  /** The values of the Cookie fields, in order, gathered while the fields were read. */
  readonly cookies: readonly string[];
  /** Bytes the head takes from the start of the buffer, empty lines before it and the final CRLF included. */
  readonly length: number;
}

export type RequestHeadResult = RequestHead | HeadIncomplete | WireError;

/** Offsets the request-line scan finds. */
interface RequestLine {
  methodEnd: number;
  targetEnd: number;
  version: HttpVersion;
}

/**
 * Scans `method SP request-target SP HTTP-version CRLF` from `start`. Returns
 * the offset after its CRLF, HEAD_INCOMPLETE or a problem.
 */
function scanRequestLine(bytes: Uint8Array, start: number, limits: HeadLimits, line: RequestLine): number | WireProblem {
  const n = bytes.length;
  const lineLimit = start + limits.maxStartLineBytes;
  let i = start;
  let c = bytes[i] ?? 0;
  while (TCHAR[c] === 1) c = bytes[++i] ?? 0;
  if (c !== SP || i === start) {
    if (i >= n) return i > lineLimit ? 'start-line-too-long' : HEAD_INCOMPLETE;
    if (i === start && c === LF) return 'bare-lf';
    if (i === start && c === CR) return 'bare-cr';
    return 'bad-method';
  }
  line.methodEnd = i;
  const targetStart = ++i;
  c = bytes[i] ?? 0;
  // Visible bytes and obs-text; the scan stops at the line limit so a huge
  // target costs no more than the limit.
  while (c > SP && c !== DEL && i <= lineLimit) c = bytes[++i] ?? 0;
  if (i > lineLimit) return 'start-line-too-long';
  if (c !== SP || i === targetStart) {
    if (i >= n) return HEAD_INCOMPLETE;
    // "GET /\r\n": an HTTP/0.9 request, which has no version.
    if ((c === CR || c === LF) && i > targetStart) return 'bad-version';
    return 'bad-target';
  }
  line.targetEnd = i;
  i += 1;
  const version = readVersion(bytes, i);
  if (version === null) return HEAD_INCOMPLETE;
  if (!isHttpVersion(version)) return version;
  line.version = version;
  i += VERSION_LENGTH;
  if (i - start > limits.maxStartLineBytes) return 'start-line-too-long';
  const cr = bytes[i];
  if (cr === undefined) return HEAD_INCOMPLETE;
  if (cr === LF) return 'bare-lf';
  if (cr !== CR) return 'bad-version';
  const lf = bytes[i + 1];
  if (lf === undefined) return HEAD_INCOMPLETE;
  if (lf !== LF) return 'bare-cr';
  return i + 2;
}

/**
 * Parses the request head at the start of `bytes`, which may hold less than
 * the head (`incomplete`) or more (the body, the next request: `length` says
 * where the head ends). On `incomplete`, call again with the same bytes and
 * more appended, passing `resumeAt` back.
 */
export function parseRequestHead(bytes: Buffer, limits: HeadLimits = REQUEST_HEAD_LIMITS, resumeAt = 0): RequestHeadResult {
  let start = 0;
  while (bytes[start] === CR && bytes[start + 1] === LF) start += 2;
  if (start >= limits.maxHeadBytes) return wireError('head-too-large', 'request');
  if (bytes[start] === CR && start + 1 === bytes.length) return { kind: 'incomplete', resumeAt: 0 };
  if (!endMayHaveArrived(bytes, start, resumeAt)) return incompleteHead(bytes, start, limits, 'request');

  const window = headWindow(bytes, start, limits);
  const line: RequestLine = { methodEnd: 0, targetEnd: 0, version: '1.1' };
  const afterLine = scanRequestLine(window, start, limits, line);
  if (afterLine === HEAD_INCOMPLETE) return incompleteHead(bytes, start, limits, 'request');
  if (typeof afterLine === 'string') return wireError(afterLine, 'request');
  const scan = newFieldScan();
  const end = scanFieldLines(window, afterLine, limits, scan);
  if (end === HEAD_INCOMPLETE) return incompleteHead(bytes, start, limits, 'request');
  if (typeof end === 'string') return wireError(end, 'request');

  const text = bytes.toString('latin1', 0, end);
  const method = text.slice(start, line.methodEnd);
  const hostBit = kindBit(FieldKind.Host);
  if ((scan.repeated & hostBit) !== 0) return wireError('several-hosts', 'request');
  if ((scan.seen & hostBit) === 0 && line.version === '1.1' && method !== 'CONNECT') return wireError('missing-host', 'request');
  const target = text.slice(line.methodEnd + 1, line.targetEnd);
  const form = targetFormOf(method, target);
  if (form === null) return wireError('bad-target', 'request');
  const { fields, collected } = buildFieldList(text, scan, FieldKind.Cookie);
  return { kind: 'request', method, target, form, version: line.version, fields, cookies: collected, length: end };
}
