/**
 * Waiting for the rest of a head. A parser that found no end in `bytes`
 * answers `incomplete` with `resumeAt`; called again on the same bytes with
 * more appended, it first looks for the empty line only in what is new, with
 * one native search, and reads the head byte by byte only once the end is
 * there. A head that trickles in a byte at a time costs linear time, not
 * quadratic.
 */
import type { HeadLimits } from './head-limits.ts';
import { LF } from './char-classes.ts';
import type { Side, WireError } from './wire-problem.ts';
import { wireError } from './wire-problem.ts';

/** The bytes did not hold a whole head yet. */
export interface HeadIncomplete {
  readonly kind: 'incomplete';
  /**
   * Pass this back, with the same bytes and more appended, to resume. Passing 0
   * is always correct, only slower.
   */
  readonly resumeAt: number;
}

/** CRLF CRLF: the end of the last field line and the empty line. */
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

/**
 * The head that starts at `start` is incomplete: refuse it if it has already
 * outgrown a limit, else wait for more.
 */
export function incompleteHead(bytes: Buffer, start: number, limits: HeadLimits, side: Side): HeadIncomplete | WireError {
  const have = bytes.length - start;
  // With maxHeadBytes bytes and no end, the head will be larger than the limit.
  if (have >= limits.maxHeadBytes) {
    return startLineTooLong(bytes, start, limits) ? wireError('start-line-too-long', side) : wireError('head-too-large', side);
  }
  if (have > limits.maxStartLineBytes && startLineTooLong(bytes, start, limits)) return wireError('start-line-too-long', side);
  return { kind: 'incomplete', resumeAt: bytes.length };
}

/** True when the start line has no LF within the limit (+1 for its CR). */
function startLineTooLong(bytes: Buffer, start: number, limits: HeadLimits): boolean {
  const lf = bytes.indexOf(LF, start);
  return (lf < 0 ? bytes.length : lf - 1) - start > limits.maxStartLineBytes;
}

/**
 * On a resumed call, whether the end of the head can be there yet: false when
 * no CRLF CRLF appeared since `resumeAt` (the three bytes before it included,
 * as the four may straddle the old end).
 */
export function endMayHaveArrived(bytes: Buffer, start: number, resumeAt: number): boolean {
  if (resumeAt <= start) return true;
  return bytes.includes(END_OF_HEAD, Math.max(start, resumeAt - 3));
}

/**
 * The bytes a head scan may look at: at most `maxHeadBytes` from `start`. A
 * view, not a copy, and only when the caller's bytes run past the limit (a
 * head followed by a large part of a body in one read).
 */
export function headWindow(bytes: Buffer, start: number, limits: HeadLimits): Buffer {
  const limit = start + limits.maxHeadBytes;
  return bytes.length > limit ? bytes.subarray(0, limit) : bytes;
}
