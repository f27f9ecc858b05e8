/**
 * Reads the server name (SNI) out of the first bytes a client sends into a
 * CONNECT tunnel, without consuming them, so the proxy can decide to decrypt and
 * pick the certificate before the TLS handshake starts.
 *
 * RFC 8446 §5.1 (TLSPlaintext): content_type(1) legacy_record_version(2) length(2) fragment
 * RFC 8446 §4.1.2 (ClientHello): legacy_version(2) random(32) legacy_session_id<0..32>
 *   cipher_suites<2..2^16-2> legacy_compression_methods<1..2^8-1> extensions<8..2^16-1>
 * RFC 6066 §3 (server_name, extension 0): ServerNameList<1..2^16-1> of
 *   { name_type(1) = host_name(0), HostName<1..2^16-1> }
 *
 * A ClientHello may arrive split over TCP segments and, rarely, over several
 * handshake records (post-quantum key shares make it large), so the parser says
 * when it needs more bytes.
 */
export type ClientHelloPeek =
  | { readonly kind: 'tls'; readonly serverName: string | null }
  | { readonly kind: 'not-tls' }
  | { readonly kind: 'incomplete' };

const CONTENT_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXTENSION_SERVER_NAME = 0x0000;
const NAME_TYPE_HOST = 0x00;
/** Beyond this many bytes without a whole ClientHello, give up looking for a name. */
export const CLIENT_HELLO_PEEK_LIMIT = 64 * 1024;

/** Joins the handshake-record fragments at the start of `data` into the whole ClientHello message. */
function handshakeBytes(data: Buffer): Buffer | 'incomplete' | 'not-tls' {
  const fragments: Buffer[] = [];
  let offset = 0;
  let have = 0;
  let need = -1;
  while (need < 0 || have < need) {
    if (data.length < offset + 5) return 'incomplete';
    if (data[offset] !== CONTENT_HANDSHAKE) return 'not-tls';
    const length = data.readUInt16BE(offset + 3);
    if (data.length < offset + 5 + length) return 'incomplete';
    const fragment = data.subarray(offset + 5, offset + 5 + length);
    fragments.push(fragment);
    have += fragment.length;
    offset += 5 + length;
    if (need < 0 && have >= 4) {
      const head = Buffer.concat(fragments);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return 'not-tls';
      need = 4 + head.readUIntBE(1, 3);
    }
  }
  return Buffer.concat(fragments).subarray(0, need);
}

export function peekClientHello(data: Buffer): ClientHelloPeek {
  if (data.length === 0) return { kind: 'incomplete' };
  if (data[0] !== CONTENT_HANDSHAKE) return { kind: 'not-tls' };
  // A record version byte that is not 3 (SSL 3.0 … TLS 1.3 all say 3.x) means this is not TLS.
  if (data.length >= 2 && data[1] !== 0x03) return { kind: 'not-tls' };
  const hello = handshakeBytes(data);
  if (hello === 'incomplete') {
    return data.length >= CLIENT_HELLO_PEEK_LIMIT ? { kind: 'tls', serverName: null } : { kind: 'incomplete' };
  }
  if (hello === 'not-tls') return { kind: 'not-tls' };
  return { kind: 'tls', serverName: serverNameOf(hello) };
}

/** The host_name of the server_name extension, lower-cased, or null when absent or malformed. */
function serverNameOf(hello: Buffer): string | null {
  try {
    let at = 4 + 2 + 32;
    at += 1 + hello.readUInt8(at); // legacy_session_id
    at += 2 + hello.readUInt16BE(at); // cipher_suites
    at += 1 + hello.readUInt8(at); // legacy_compression_methods
    if (at + 2 > hello.length) return null; // no extensions at all
    const end = Math.min(hello.length, at + 2 + hello.readUInt16BE(at));
    at += 2;
    while (at + 4 <= end) {
      const type = hello.readUInt16BE(at);
      const length = hello.readUInt16BE(at + 2);
      at += 4;
      if (type === EXTENSION_SERVER_NAME) {
        let entry = at + 2;
        const listEnd = Math.min(at + length, entry + hello.readUInt16BE(at));
        while (entry + 3 <= listEnd) {
          const nameType = hello.readUInt8(entry);
          const nameLength = hello.readUInt16BE(entry + 1);
          entry += 3;
          if (nameType === NAME_TYPE_HOST && entry + nameLength <= listEnd) {
            const name = hello.toString('ascii', entry, entry + nameLength).toLowerCase().replace(/\.$/, '');
            return /^[a-z0-9._-]+$/.test(name) ? name : null;
          }
          entry += nameLength;
        }
        return null;
      }
      at += length;
    }
    return null;
  } catch {
    // A read past the end: a truncated or malformed hello has no usable name.
    return null;
  }
}
