import { describe, expect, it } from 'vitest';
import { FieldKind, fieldKindOf } from '../../../src/proxy/http1/field-kind.ts';
import { latin1 } from './wire-reader.ts';

const kindOf = (name: string): FieldKind => fieldKindOf(latin1(`>${name}<`), 1, name.length + 1);

describe('fieldKindOf', () => {
  it.each([
    ['Host', FieldKind.Host],
    ['HOST', FieldKind.Host],
    ['content-length', FieldKind.ContentLength],
    ['Content-Length', FieldKind.ContentLength],
    ['TRANSFER-ENCODING', FieldKind.TransferEncoding],
    ['Connection', FieldKind.Connection],
    ['Proxy-Connection', FieldKind.ProxyConnection],
    ['keep-alive', FieldKind.KeepAlive],
    ['TE', FieldKind.Te],
    ['te', FieldKind.Te],
    ['Trailer', FieldKind.Trailer],
    ['Upgrade', FieldKind.Upgrade],
    ['Proxy-Authorization', FieldKind.ProxyAuthorization],
    ['proxy-authenticate', FieldKind.ProxyAuthenticate],
    ['Expect', FieldKind.Expect],
    ['Cookie', FieldKind.Cookie],
    ['Set-Cookie', FieldKind.SetCookie],
    ['SET-COOKIE', FieldKind.SetCookie],
  ] as const)('%s', (name, kind) => {
    expect(kindOf(name)).toBe(kind);
  });

  it.each([
    'Hosts',
    'Hos',
    'X-Host',
    'Content-Lengths',
    'Content_Length',
    'Transfer-Encodinq',
    'Transfer_Encoding',
    'Cookie2',
    'Set-Cookie2',
    'Set_Cookie',
    'Te1',
    'T-',
    'Authorization',
    'Keep_Alive',
    'Accept',
    'Tr@iler',
    'Upgrad3',
    '',
    // ^ 0x5e | 0x20 is ~, _ | 0x20 is DEL: no tchar other than a letter or "-" matches.
    'Keep^Alive',
    'content~length',
  ])('%s is no kind the proxy acts on', (name) => {
    expect(kindOf(name)).toBe(FieldKind.Other);
  });
});
