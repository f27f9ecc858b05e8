import type { FieldKind } from './field-kind.ts';
import { kindBit } from './field-kind.ts';

/**
 * The field lines of a parsed head. Everything is copied out of the bytes the
 * head was parsed from (the one latin1 string `text` and slices of it), so the
 * caller may reuse its read buffer at once.
 */
export interface FieldList {
  /** The head as latin1 text: byte `k` of the parsed buffer is `text.charCodeAt(k)`. */
  readonly text: string;
  /**
   * `[name, value, name, value …]` as sent: case, order and repeated fields kept;
   * each value without the whitespace around it (RFC 9112 §5.1).
   */
  readonly raw: readonly string[];
  /** The kind of each field: `kinds[i]` is the kind of `raw[2 * i]`. */
  readonly kinds: readonly FieldKind[];
  /**
   * Where each field line starts in `text`, then one more entry: where the empty
   * line that ends the head starts. Line `i` is `text.slice(lineStarts[i], lineStarts[i + 1])`, CRLF included.
   */
  readonly lineStarts: readonly number[];
  /** A `kindBit` for every kind present. */
  readonly seen: number;
  /** A `kindBit` for every kind present on more than one line. */
  readonly repeated: number;
}

export function hasField(fields: FieldList, kind: FieldKind): boolean {
  return (fields.seen & kindBit(kind)) !== 0;
}

/** The values of every field of one kind, in order. */
export function fieldValues(fields: FieldList, kind: FieldKind): string[] {
  const values: string[] = [];
  if (!hasField(fields, kind)) return values;
  for (let i = 0; i < fields.kinds.length; i++) {
    if (fields.kinds[i] === kind) values.push(fields.raw[2 * i + 1] ?? '');
  }
  return values;
}
