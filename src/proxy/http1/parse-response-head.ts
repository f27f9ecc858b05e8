/**
 * Reads a response head from an origin (RFC 9112 §4, §5), with the same
 * strictness as a request head (CRLF only, no obs-fold, no controls in values):
 * the proxy forwards what it read, so what it cannot read exactly it does not
 * pass on (502).
 *
 *   status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 *
 * The Set-Cookie values are gathered while the fields are read, for cookie
 * capture, with no second pass over the head.
 */
import { CR, DEL, HTAB, LF, SP } from './char-classes.ts';
import type { HeadIncomplete } from './head-end.ts';
import { endMayHaveArrived, headWindow, incompleteHead } from './head-end.ts';
import { FieldKind } from './field-kind.ts';
import type { FieldList } from './field-list.ts';
import { HEAD_INCOMPLETE, buildFieldList, newFieldScan, scanFieldLines } from './field-lines.ts';
import type { HeadLimits } from './head-limits.ts';
import { RESPONSE_HEAD_LIMITS } from './head-limits.ts';
import type { HttpVersion } from './http-version.ts';
import { VERSION_LENGTH, isHttpVersion, readVersion } from './http-version.ts';
import type { WireError, WireProblem } from './wire-problem.ts';
import { wireError } from './wire-problem.ts';

export interface ResponseHead {
  readonly kind: 'response';
  readonly version: HttpVersion;
  /** 100–999: three digits, the first not 0 (RFC 9110 §15 defines 100–599; others are passed on). */
  readonly status: number;
  /** The reason-phrase as sent (latin1), possibly empty. */
  readonly reason: string;
  readonly fields: FieldList;
  /** Every Set-Cookie value, in the order the origin sent them. */
  readonly setCookies: readonly string[];
  /** Bytes the head takes from the start of the buffer, the final CRLF included. */
  readonly length: number;
}

export type ResponseHeadResult = ResponseHead | HeadIncomplete | WireError;

interface StatusLine {
  version: HttpVersion;
  status: number;
  reasonStart: number;
  reasonEnd: number;
}

function digit(byte: number | undefined): number {
  return byte === undefined ? -2 : byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : -1;
}

/** Scans the status line from 0. Returns the offset after its CRLF, HEAD_INCOMPLETE or a problem. */
function scanStatusLine(bytes: Uint8Array, limits: HeadLimits, line: StatusLine): number | WireProblem {
  const version = readVersion(bytes, 0);
  if (version === null) return HEAD_INCOMPLETE;
  if (!isHttpVersion(version)) return version;
  line.version = version;
  let i = VERSION_LENGTH;
  const sp = bytes[i];
  if (sp === undefined) return HEAD_INCOMPLETE;
  if (sp !== SP) return 'bad-status';
  let status = 0;
  for (let k = 1; k <= 3; k++) {
    const d = digit(bytes[i + k]);
    if (d === -2) return HEAD_INCOMPLETE;
    if (d < 0) return 'bad-status';
    status = status * 10 + d;
  }
  if (status < 100) return 'bad-status';
  line.status = status;
  i += 4;
  // RFC 9112 §4: a server "MUST send the space that separates the status-code
  // from the reason-phrase even when the reason-phrase is absent"; a missing
  // space before the CRLF is read as an empty reason, which frames nothing.
  let c = bytes[i];
  if (c === SP) {
    c = bytes[++i];
  } else if (c !== CR) {
    return c === undefined ? HEAD_INCOMPLETE : c === LF ? 'bare-lf' : 'bad-status';
  }
  line.reasonStart = i;
  // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
  const lineLimit = limits.maxStartLineBytes;
  while (c !== undefined && c !== CR && i <= lineLimit) {
    if ((c < SP && c !== HTAB) || c === DEL) return c === LF ? 'bare-lf' : 'bad-status';
    c = bytes[++i];
  }
  if (i > lineLimit) return 'start-line-too-long';
  if (c === undefined) return HEAD_INCOMPLETE;
  line.reasonEnd = i;
  const lf = bytes[i + 1];
  if (lf === undefined) return HEAD_INCOMPLETE;
  if (lf !== LF) return 'bare-cr';
  return i + 2;
}

/**
 * Parses the response head at the start of `bytes`; same contract as
 * `parseRequestHead` (incomplete with `resumeAt`, `length` where it ends).
 * Every error has status 502: it is the proxy's answer to its client.
 */
export function parseResponseHead(bytes: Buffer, limits: HeadLimits = RESPONSE_HEAD_LIMITS, resumeAt = 0): ResponseHeadResult {
  if (!endMayHaveArrived(bytes, 0, resumeAt)) return incompleteHead(bytes, 0, limits, 'response');
  const window = headWindow(bytes, 0, limits);
  const line: StatusLine = { version: '1.1', status: 0, reasonStart: 0, reasonEnd: 0 };
  const afterLine = scanStatusLine(window, limits, line);
  if (afterLine === HEAD_INCOMPLETE) return incompleteHead(bytes, 0, limits, 'response');
  if (typeof afterLine === 'string') return wireError(afterLine, 'response');
  const scan = newFieldScan();
  const end = scanFieldLines(window, afterLine, limits, scan);
  if (end === HEAD_INCOMPLETE) return incompleteHead(bytes, 0, limits, 'response');
  if (typeof end === 'string') return wireError(end, 'response');

  const text = bytes.toString('latin1', 0, end);
  const { fields, collected: setCookies } = buildFieldList(text, scan, FieldKind.SetCookie);
  return {
    kind: 'response',
    version: line.version,
    status: line.status,
    reason: text.slice(line.reasonStart, line.reasonEnd),
    fields,
    setCookies,
    length: end,
  };
}
