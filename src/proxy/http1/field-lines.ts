/**
 * The field lines of a head (RFC 9112 §5), shared by the request and response
 * parsers: one byte loop that checks every byte, finds where each name and
 * value lie and where the head ends; then one latin1 string of the head and
 * slices of it.
 *
 *   field-line   = field-name ":" OWS field-value OWS
 *   field-value  = *field-content            ; VCHAR, SP, HTAB, obs-text
 */
import { COLON, CR, FIELD_VCHAR, HTAB, LF, SP, TCHAR } from './char-classes.ts';
import type { FieldKind } from './field-kind.ts';
import { fieldKindOf } from './field-kind.ts';
import type { FieldList } from './field-list.ts';
import type { HeadLimits } from './head-limits.ts';
import type { WireProblem } from './wire-problem.ts';

/** What `scanFieldLines` returns when the bytes end before the head does. */
export const HEAD_INCOMPLETE = -1;

/**
 * Where the field lines of one head lie; filled by `scanFieldLines`. The line
 * starts and kinds become part of the FieldList; the spans are scratch space.
 */
export interface FieldScan {
  readonly lineStarts: number[];
  readonly kinds: FieldKind[];
  seen: number;
  repeated: number;
}

export function newFieldScan(): FieldScan {
  return { lineStarts: [], kinds: [], seen: 0, repeated: 0 };
}

/**
 * Per field: end of the name, start and end of the value. One array for the
 * whole thread, reused by every parse (a parse runs to completion without
 * yielding, so no two parses share it at once), doubled when a head has more
 * fields than it holds.
 */
let spans = new Int32Array(3 * 256);

function growSpans(): void {
  const grown = new Int32Array(spans.length * 2);
  grown.set(spans);
  spans = grown;
}

/**
 * Scans field lines from `at` (the first byte after the start line) through
 * the empty line. `bytes` ends where the caller's data ends or where the head
 * limit is, whichever comes first; reads past its end give `undefined`, which
 * every branch below treats as "not there yet" before it calls a byte invalid.
 *
 * Returns the offset just past the empty line, HEAD_INCOMPLETE, or a problem.
 */
export function scanFieldLines(bytes: Uint8Array, at: number, limits: HeadLimits, scan: FieldScan): number | WireProblem {
  const n = bytes.length;
  const { lineStarts, kinds } = scan;
  let seen = 0;
  let repeated = 0;
  let i = at;
  for (;;) {
    let c = bytes[i] ?? 0;
    if (c === CR) {
      const next = bytes[i + 1];
      if (next === undefined) return HEAD_INCOMPLETE;
      if (next !== LF) return 'bare-cr';
      lineStarts.push(i);
      scan.seen = seen;
      scan.repeated = repeated;
      return i + 2;
    }
    if (i >= n) return HEAD_INCOMPLETE;
    if (kinds.length === limits.maxFields) return 'too-many-fields';
    // RFC 9112 §2.2: whitespace before the first field "MUST either reject the
    // message as invalid or consume each whitespace-preceded line"; §5.2: a
    // server "MAY reject a message that contains obs-fold". Both are refused:
    // a line another parser would join to the one above is a smuggling tool.
    if (c === SP || c === HTAB) return kinds.length === 0 ? 'space-after-start-line' : 'obs-fold';
    if (c === LF) return 'bare-lf';

    const nameStart = i;
    while (TCHAR[c] === 1) c = bytes[++i] ?? 0;
    if (c !== COLON || i === nameStart) {
      if (i >= n) return HEAD_INCOMPLETE;
      // RFC 9112 §5.1: "A server MUST reject, with a response status code of
      // 400 (Bad Request), any received request message that contains
      // whitespace between a header field name and colon."
      if ((c === SP || c === HTAB) && i > nameStart) return 'space-before-colon';
      if (c === LF) return 'bare-lf';
      return 'bad-field-name';
    }
    const nameEnd = i;
    c = bytes[++i] ?? 0;
    while (c === SP || c === HTAB) c = bytes[++i] ?? 0;
    const valueStart = i;
    // RFC 9110 §5.5: field values are VCHAR, SP, HTAB and obs-text (0x80–0xFF);
    // "Field values containing CR, LF, or NUL characters are invalid and
    // dangerous".
    while (FIELD_VCHAR[c] === 1) c = bytes[++i] ?? 0;
    if (i >= n) return HEAD_INCOMPLETE;
    if (c !== CR) return c === LF ? 'bare-lf' : 'bad-field-value';
    // Trailing OWS is not part of the value.
    let valueEnd = i;
    while (valueEnd > valueStart && (bytes[valueEnd - 1] === SP || bytes[valueEnd - 1] === HTAB)) valueEnd--;
    const lf = bytes[i + 1];
    if (lf === undefined) return HEAD_INCOMPLETE;
    if (lf !== LF) return 'bare-cr';

    const kind = fieldKindOf(bytes, nameStart, nameEnd);
    const bit = 1 << kind;
    repeated |= seen & bit;
    seen |= bit;
    const s = 3 * kinds.length;
    if (s + 3 > spans.length) growSpans();
    spans[s] = nameEnd;
    spans[s + 1] = valueStart;
    spans[s + 2] = valueEnd;
    lineStarts.push(nameStart);
    kinds.push(kind);
    i += 2;
  }
}

/** The gathered values when there are none: one shared, frozen array. */
const NONE: readonly string[] = Object.freeze([]);

/**
 * Makes the FieldList of a scanned head from its latin1 text, and gathers the
 * values of the fields of kind `collect` (Cookie, Set-Cookie) in the same loop.
 */
export function buildFieldList(text: string, scan: FieldScan, collect: FieldKind): { fields: FieldList; collected: readonly string[] } {
  const { kinds, lineStarts } = scan;
  const raw: string[] = [];
  let collected: string[] | null = null;
  for (let f = 0, s = 0; f < kinds.length; f++, s += 3) {
    const value = text.slice(spans[s + 1], spans[s + 2]);
    raw.push(text.slice(lineStarts[f], spans[s]), value);
    if (kinds[f] === collect) (collected ??= []).push(value);
  }
  return { fields: { text, raw, kinds, lineStarts, seen: scan.seen, repeated: scan.repeated }, collected: collected ?? NONE };
}
