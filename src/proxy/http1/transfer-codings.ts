/**
 * Transfer-Encoding (RFC 9112 §6.1): the codings applied to the body, in the
 * order they were applied, across every Transfer-Encoding field line.
 *
 *   Transfer-Encoding  = #transfer-coding
 *   transfer-coding    = token *( OWS ";" OWS transfer-parameter )
 *   transfer-parameter = token BWS "=" BWS ( token / quoted-string )
 *
 * Read strictly: an element that is not a token with token parameters is
 * refused, quoted parameters included (no client sends them; a parser that
 * split a quoted comma differently would see another final coding). `chunked`
 * takes no parameters; with any it is refused rather than guessed at.
 */
import { COMMA, HTAB, SEMICOLON, SP, TCHAR } from './char-classes.ts';
import { FieldKind } from './field-kind.ts';
import type { FieldList } from './field-list.ts';

export interface TransferCodings {
  /** Codings listed, empty list elements not counted. */
  readonly count: number;
  /** How many times `chunked` is listed. */
  readonly chunked: number;
  /** True when the last coding listed is `chunked`. */
  readonly finalChunked: boolean;
}

const EQUALS = 0x3d;

function skipOws(value: string, i: number): number {
  let c = value.charCodeAt(i);
  while (c === SP || c === HTAB) c = value.charCodeAt(++i);
  return i;
}

function skipToken(value: string, i: number): number {
  while (TCHAR[value.charCodeAt(i)] === 1) i++;
  return i;
}

/** True when `value[start, end)` is "chunked" in any case (codings are case-insensitive, RFC 9112 §7). */
function isChunked(value: string, start: number, end: number): boolean {
  if (end - start !== 7) return false;
  const chunked = 'chunked';
  for (let k = 0; k < 7; k++) {
    if ((value.charCodeAt(start + k) | 0x20) !== chunked.charCodeAt(k)) return false;
  }
  return true;
}

/** The codings of every Transfer-Encoding field of `fields`, or null when one is malformed. */
export function transferCodingsOf(fields: FieldList): TransferCodings | null {
  let count = 0;
  let chunked = 0;
  let finalChunked = false;
  for (let f = 0; f < fields.kinds.length; f++) {
    if (fields.kinds[f] !== FieldKind.TransferEncoding) continue;
    const value = fields.raw[2 * f + 1] ?? '';
    let i = 0;
    while (i < value.length) {
      i = skipOws(value, i);
      // RFC 9110 §5.6.1: a recipient "MUST parse and ignore a reasonable
      // number of empty list elements".
      if (value.charCodeAt(i) === COMMA) {
        i += 1;
        continue;
      }
      if (i >= value.length) break;
      const start = i;
      i = skipToken(value, i);
      if (i === start) return null;
      const isChunkedCoding = isChunked(value, start, i);
      i = skipOws(value, i);
      while (value.charCodeAt(i) === SEMICOLON) {
        if (isChunkedCoding) return null;
        i = skipOws(value, i + 1);
        const name = i;
        i = skipToken(value, i);
        if (i === name) return null;
        i = skipOws(value, i);
        if (value.charCodeAt(i) !== EQUALS) return null;
        i = skipOws(value, i + 1);
        const parameter = i;
        i = skipToken(value, i);
        if (i === parameter) return null;
        i = skipOws(value, i);
      }
      if (i < value.length && value.charCodeAt(i) !== COMMA) return null;
      i += 1;
      count += 1;
      if (isChunkedCoding) chunked += 1;
      finalChunked = isChunkedCoding;
    }
  }
  return { count, chunked, finalChunked };
}
