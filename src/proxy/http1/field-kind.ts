/**
 * The field names the proxy acts on, recognised once while the head is parsed
 * so that framing, hop-by-hop removal and cookie capture never lower-case or
 * compare a name again.
 */
export const FieldKind = {
  Other: 0,
  Host: 1,
  ContentLength: 2,
  TransferEncoding: 3,
  Connection: 4,
  ProxyConnection: 5,
  KeepAlive: 6,
  Te: 7,
  Trailer: 8,
  Upgrade: 9,
  ProxyAuthorization: 10,
  ProxyAuthenticate: 11,
  Expect: 12,
  Cookie: 13,
  SetCookie: 14,
} as const;

export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** The bit of a kind in a `seen` mask. */
export function kindBit(kind: FieldKind): number {
  return 1 << kind;
}

/**
 * True when the bytes `[start, start + lower.length)` spell `lower` in any case.
 * The bytes are tchars (the parser checked them), and for a tchar `byte | 0x20`
 * equals a lower-case letter or `-` only when the byte is that letter in either
 * case or that `-`, so one OR per byte is an exact case-insensitive comparison.
 */
function spells(bytes: Uint8Array, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if (((bytes[start + i] ?? 0) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The kind of the field name in `bytes[start, end)` (a token). Field names are
 * case-insensitive (RFC 9110 §5.1). The length picks the few candidates, so an
 * unknown name costs a switch and usually no byte comparison at all.
 */
export function fieldKindOf(bytes: Uint8Array, start: number, end: number): FieldKind {
  const first = (bytes[start] ?? 0) | 0x20;
  switch (end - start) {
    case 2:
      return spells(bytes, start, 'te') ? FieldKind.Te : FieldKind.Other;
    case 4:
      return spells(bytes, start, 'host') ? FieldKind.Host : FieldKind.Other;
    case 6:
      if (first === 0x63) return spells(bytes, start, 'cookie') ? FieldKind.Cookie : FieldKind.Other;
      return spells(bytes, start, 'expect') ? FieldKind.Expect : FieldKind.Other;
    case 7:
      if (first === 0x74) return spells(bytes, start, 'trailer') ? FieldKind.Trailer : FieldKind.Other;
      return spells(bytes, start, 'upgrade') ? FieldKind.Upgrade : FieldKind.Other;
    case 10:
      if (first === 0x63) return spells(bytes, start, 'connection') ? FieldKind.Connection : FieldKind.Other;
      if (first === 0x6b) return spells(bytes, start, 'keep-alive') ? FieldKind.KeepAlive : FieldKind.Other;
      return spells(bytes, start, 'set-cookie') ? FieldKind.SetCookie : FieldKind.Other;
    case 14:
      return spells(bytes, start, 'content-length') ? FieldKind.ContentLength : FieldKind.Other;
    case 16:
      return spells(bytes, start, 'proxy-connection') ? FieldKind.ProxyConnection : FieldKind.Other;
    case 17:
      return spells(bytes, start, 'transfer-encoding') ? FieldKind.TransferEncoding : FieldKind.Other;
    case 18:
      return spells(bytes, start, 'proxy-authenticate') ? FieldKind.ProxyAuthenticate : FieldKind.Other;
    case 19:
      return spells(bytes, start, 'proxy-authorization') ? FieldKind.ProxyAuthorization : FieldKind.Other;
    default:
      return FieldKind.Other;
  }
}
