/**
 * The Connection field (RFC 9110 §7.6.1): options for this hop only, and the
 * names of fields that must not go further.
 *
 *   Connection        = #connection-option
 *   connection-option = token
 */
import { HTAB, SP } from './char-classes.ts';
import { FieldKind } from './field-kind.ts';
import type { FieldList } from './field-list.ts';
import { hasField } from './field-list.ts';
import type { HttpVersion } from './http-version.ts';

export interface ConnectionOptions {
  readonly close: boolean;
  readonly keepAlive: boolean;
  readonly upgrade: boolean;
  /** Every other option, lower-cased: names of fields to drop at this hop. */
  readonly named: readonly string[];
}

const NONE: ConnectionOptions = Object.freeze({ close: false, keepAlive: false, upgrade: false, named: Object.freeze([]) });

/** True when `value[start, end)` is `lower` in any case (letters and "-" only). */
function equalsLower(value: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    if ((value.charCodeAt(start + k) | 0x20) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** The options of every Connection field of `fields`, in one object. */
export function connectionOptionsOf(fields: FieldList): ConnectionOptions {
  if (!hasField(fields, FieldKind.Connection)) return NONE;
  let close = false;
  let keepAlive = false;
  let upgrade = false;
  const named: string[] = [];
  for (let f = 0; f < fields.kinds.length; f++) {
    if (fields.kinds[f] !== FieldKind.Connection) continue;
    const value = fields.raw[2 * f + 1] ?? '';
    let i = 0;
    while (i <= value.length) {
      let start = i;
      let end = value.indexOf(',', i);
      if (end < 0) end = value.length;
      i = end + 1;
      while (start < end && (value.charCodeAt(start) === SP || value.charCodeAt(start) === HTAB)) start++;
      while (end > start && (value.charCodeAt(end - 1) === SP || value.charCodeAt(end - 1) === HTAB)) end--;
      if (start === end) continue;
      if (equalsLower(value, start, end, 'close')) close = true;
      else if (equalsLower(value, start, end, 'keep-alive')) keepAlive = true;
      else if (equalsLower(value, start, end, 'upgrade')) upgrade = true;
      else named.push(value.slice(start, end).toLowerCase());
    }
  }
  return { close, keepAlive, upgrade, named };
}

/**
 * Whether the connection stays open after this message (RFC 9112 §9.3): with
 * "close", no; else HTTP/1.1 stays open, and HTTP/1.0 only with "keep-alive".
 */
export function isPersistent(version: HttpVersion, options: ConnectionOptions): boolean {
  if (options.close) return false;
  return version === '1.1' || options.keepAlive;
}
