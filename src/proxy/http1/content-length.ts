/**
 * Content-Length (RFC 9110 §8.6): `Content-Length = 1*DIGIT`.
 *
 * Decision on repeats: RFC 9110 §8.6 lets a recipient of a list of identical
 * values ("42, 42") or of repeated identical field lines "either reject the
 * message as invalid or replace that invalid field value with a single
 * instance of the decimal value". jarsync accepts identical repeats and the
 * writers forward a single `Content-Length: 42` line in their place, so no
 * parser downstream ever sees the repeat: the length is unambiguous and
 * nothing different reaches the origin. Values that differ are refused
 * (RFC 9112 §6.3: "the message framing is invalid").
 */
import { COMMA, HTAB, SP } from './char-classes.ts';
import { FieldKind } from './field-kind.ts';
import type { FieldList } from './field-list.ts';

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * The length given by every Content-Length field of `fields` (at least one
 * must be present), or the problem with them. A value beyond 2^53 - 1 is
 * refused: no real body is that long, and the count must stay exact.
 */
export function contentLengthOf(fields: FieldList): number | 'bad-content-length' | 'content-lengths-differ' {
  let length = -1;
  for (let f = 0; f < fields.kinds.length; f++) {
    if (fields.kinds[f] !== FieldKind.ContentLength) continue;
    const value = fields.raw[2 * f + 1] ?? '';
    let i = 0;
    // One or more comma-separated decimal numbers, OWS around each comma.
    for (;;) {
      let n = 0;
      const digitsStart = i;
      let c = value.charCodeAt(i);
      while (c >= DIGIT_0 && c <= DIGIT_9) {
        n = n * 10 + (c - DIGIT_0);
        if (n > Number.MAX_SAFE_INTEGER) return 'bad-content-length';
        c = value.charCodeAt(++i);
      }
      if (i === digitsStart) return 'bad-content-length';
      if (length >= 0 && n !== length) return 'content-lengths-differ';
      length = n;
      while (c === SP || c === HTAB) c = value.charCodeAt(++i);
      if (i === value.length) break;
      if (c !== COMMA) return 'bad-content-length';
      c = value.charCodeAt(++i);
      while (c === SP || c === HTAB) c = value.charCodeAt(++i);
    }
  }
  return length < 0 ? 'bad-content-length' : length;
}
