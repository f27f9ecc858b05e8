/**
 * Which field lines of a head go on to the next hop, and in what bytes. Lines
 * kept are copied as received (name case, spacing, order and repeats intact),
 * in runs: the output joins one slice of the head's text per run of kept
 * lines, not one string per field, as a rope that latin1-buffer.ts turns into
 * bytes with one native call.
 *
 * Dropped (RFC 9110 §7.6.1, "Intermediaries MUST parse a received Connection
 * header field before a message is forwarded and, for each connection-option
 * in this field, remove any header or trailer field(s) from the message with
 * the same name as the connection-option, and then remove the Connection
 * header field itself … intermediaries SHOULD remove or replace fields that
 * are known to require removal before forwarding … Proxy-Connection,
 * Keep-Alive, TE, Transfer-Encoding, Upgrade"):
 * Connection and the fields it names, Proxy-Connection, Keep-Alive, TE,
 * Upgrade (unless a protocol switch is wanted), Proxy-Authorization and
 * Proxy-Authenticate (meant for this proxy), Expect when asked.
 *
 * Kept although §7.6.1 lists it: Transfer-Encoding, and with it Content-Length.
 * The node:http engine decoded each body and re-framed it; this engine passes
 * the body's bytes on in the framing they arrived in, so the fields that
 * describe that framing must arrive with them. They go out in the form this
 * proxy read them, one canonical line (`Content-Length: 42`,
 * `Transfer-Encoding: chunked`) when the received lines were repeated, padded
 * or oddly cased, so that no parser further on can read a length the proxy
 * did not. A Connection option naming Host, Content-Length or
 * Transfer-Encoding is ignored for the same reason (dropping a framing field
 * at a client's request is a known smuggling trick).
 *
 * Kept as well, with a chunked body: Trailer. It announces the trailer fields
 * of that body, and those now pass through untouched. With no chunked body
 * there is nothing for it to announce, and it goes, as it did with node:http.
 */
import type { BodyFraming } from './body-framing.ts';
import { SP } from './char-classes.ts';
import type { ConnectionOptions } from './connection-options.ts';
import { FieldKind } from './field-kind.ts';
import type { FieldList } from './field-list.ts';
import { hasField } from './field-list.ts';
import { transferCodingsOf } from './transfer-codings.ts';

export interface ForwardRules {
  /** Drop every Host: the writer sends its own. */
  readonly dropHost: boolean;
  /** Keep Upgrade for a protocol switch. */
  readonly keepUpgrade: boolean;
  readonly dropExpect: boolean;
  readonly connection: ConnectionOptions;
  readonly framing: BodyFraming;
}

/** What happens to the framing fields, decided once per head. */
interface FramingPlan {
  /** Content-Length lines: kept as received, dropped, or one canonical line. */
  readonly contentLength: 'keep' | 'drop' | 'canonical';
  /** Transfer-Encoding lines: kept as received, or one `chunked` line. */
  readonly transferEncoding: 'keep' | 'canonical';
}

const KEEP_BOTH: FramingPlan = { contentLength: 'keep', transferEncoding: 'keep' };

function framingPlan(fields: FieldList, framing: BodyFraming): FramingPlan {
  switch (framing.kind) {
    case 'length':
      return { contentLength: 'canonical', transferEncoding: 'keep' };
    case 'chunked': {
      // RFC 9112 §6.3 rule 3: a Content-Length next to Transfer-Encoding is
      // removed before forwarding. Several codings ("gzip, chunked", in a
      // response) stay as received: the client decodes them, not the proxy.
      const codings = transferCodingsOf(fields);
      return { contentLength: 'drop', transferEncoding: codings !== null && codings.count === 1 ? 'canonical' : 'keep' };
    }
    case 'close':
      return { contentLength: 'drop', transferEncoding: 'keep' };
    default:
      // No body in this message: Content-Length of a HEAD or 304 response
      // describes the representation, and goes on as received.
      return KEEP_BOTH;
  }
}

/** The lower-case name of each kind the Connection field may name. */
const KIND_NAMES: readonly string[] = [
  '',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'expect',
  'cookie',
  'set-cookie',
];

function namedByConnection(fields: FieldList, f: number, kind: FieldKind, named: readonly string[]): boolean {
  if (named.length === 0) return false;
  const lower = kind === FieldKind.Other ? (fields.raw[2 * f] ?? '').toLowerCase() : (KIND_NAMES[kind] ?? '');
  return named.includes(lower);
}

/** True when line `f` is exactly `name: value` CRLF (one SP after the colon, nothing after the value). */
function isCanonicalLine(fields: FieldList, f: number, value: string): boolean {
  const name = fields.raw[2 * f] ?? '';
  const start = fields.lineStarts[f] ?? 0;
  return (
    fields.raw[2 * f + 1] === value &&
    (fields.lineStarts[f + 1] ?? 0) - start === name.length + value.length + 4 &&
    fields.text.charCodeAt(start + name.length + 1) === SP
  );
}

/** The field lines to forward, each ending in CRLF, as one string. */
export function forwardedFields(fields: FieldList, rules: ForwardRules): string {
  const { text, kinds, lineStarts, raw } = fields;
  const named = rules.connection.named;
  const hasFraming = hasField(fields, FieldKind.ContentLength) || hasField(fields, FieldKind.TransferEncoding);
  const plan = hasFraming ? framingPlan(fields, rules.framing) : KEEP_BOTH;
  let sentLength = false;
  let sentCoding = false;
  let out = '';
  let runStart = -1;
  for (let f = 0; f < kinds.length; f++) {
    const kind = kinds[f] ?? FieldKind.Other;
    let keep: boolean;
    let replacement = '';
    switch (kind) {
      case FieldKind.Connection:
      case FieldKind.ProxyConnection:
      case FieldKind.KeepAlive:
      case FieldKind.Te:
      case FieldKind.ProxyAuthorization:
      case FieldKind.ProxyAuthenticate:
        keep = false;
        break;
      case FieldKind.Upgrade:
        keep = rules.keepUpgrade;
        break;
      case FieldKind.Host:
        keep = !rules.dropHost;
        break;
      case FieldKind.ContentLength:
        if (plan.contentLength === 'keep') {
          keep = true;
        } else if (plan.contentLength === 'drop' || sentLength || rules.framing.kind !== 'length') {
          keep = false;
        } else {
          sentLength = true;
          const value = String(rules.framing.length);
          keep = isCanonicalLine(fields, f, value);
          if (!keep) replacement = `${raw[2 * f] ?? ''}: ${value}\r\n`;
        }
        break;
      case FieldKind.TransferEncoding:
        if (plan.transferEncoding === 'keep') {
          keep = true;
        } else if (sentCoding) {
          keep = false;
        } else {
          sentCoding = true;
          keep = isCanonicalLine(fields, f, 'chunked');
          if (!keep) replacement = `${raw[2 * f] ?? ''}: chunked\r\n`;
        }
        break;
      case FieldKind.Trailer:
        keep = rules.framing.kind === 'chunked' && !namedByConnection(fields, f, kind, named);
        break;
      case FieldKind.Expect:
        keep = !rules.dropExpect && !namedByConnection(fields, f, kind, named);
        break;
      default:
        keep = !namedByConnection(fields, f, kind, named);
    }
    if (keep) {
      if (runStart < 0) runStart = lineStarts[f] ?? 0;
      continue;
    }
    // A run of kept lines ends here: one slice of the head's text for all of
    // them, then the canonical line that replaces this one, if any.
    if (runStart >= 0) {
      out += text.slice(runStart, lineStarts[f]);
      runStart = -1;
    }
    out += replacement;
  }
  if (runStart >= 0) out += text.slice(runStart, lineStarts[kinds.length]);
  return out;
}

/** `extra` (`[name, value…]`) as field lines. */
export function extraFields(extra: readonly string[] | undefined): string {
  if (extra === undefined) return '';
  let out = '';
  for (let i = 0; i + 1 < extra.length; i += 2) out += `${extra[i] ?? ''}: ${extra[i + 1] ?? ''}\r\n`;
  return out;
}
