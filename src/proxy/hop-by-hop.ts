/**
 * Hop-by-hop header handling for a forwarding proxy.
 *
 * RFC 9110 §7.6.1: "Intermediaries MUST parse a received Connection header field
 * before a message is forwarded and, for each connection-option in this field,
 * remove any header or trailer field(s) from the message with the same name as
 * the connection-option, and then remove the Connection header field itself (or
 * replace it with the intermediary's own control options for the forwarded
 * message). […] Furthermore, intermediaries SHOULD remove or replace fields that
 * are known to require removal before forwarding, whether or not they appear as
 * a connection-option, after applying those fields' semantics. This includes but
 * is not limited to: Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade."
 *
 * Trailer goes too: the proxy re-frames every body itself, so a Trailer
 * announcement from the other side would describe framing we do not send.
 * Proxy-Authorization and Proxy-Authenticate are meant for this proxy and never
 * go further.
 *
 * Headers are handled in Node's raw form, a flat `[name, value, name, value…]`
 * array, so case, order and repeated fields (Set-Cookie above all) survive.
 */
const ALWAYS_HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** The lower-case field names a Connection header lists, across all its instances. */
function connectionOptions(raw: readonly string[]): Set<string> | null {
  let named: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name?.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const option of (raw[i + 1] ?? '').split(',')) {
      const trimmed = option.trim().toLowerCase();
      if (trimmed !== '') (named ??= new Set()).add(trimmed);
    }
  }
  return named;
}

export interface StripOptions {
  /** Keep `Upgrade` and a `Connection: upgrade` for a protocol switch (WebSocket). Defaults to false. */
  readonly keepUpgrade?: boolean;
  /**
   * Replace every `Host` field with one carrying this authority (RFC 9112 §3.2.2:
   * a proxy forwarding an absolute-form request takes the Host from the target
   * URI). Defaults to keeping Host as received.
   */
  readonly host?: string;
  /**
   * Drop `Expect` too. Node's server answers `100 Continue` to the client itself,
   * so passing the expectation on would ask the origin a question nobody waits
   * for. Defaults to false.
   */
  readonly dropExpect?: boolean;
}

/**
 * Returns the end-to-end headers of `raw`, dropping hop-by-hop fields.
 * With `keepUpgrade`, `Upgrade` survives and `Connection: Upgrade` is re-added,
 * because a protocol switch has to be asked for on the next hop too.
 */
export function stripHopByHop(raw: readonly string[], options: StripOptions = {}): string[] {
  const named = connectionOptions(raw);
  const out: string[] = options.host === undefined ? [] : ['Host', options.host];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (name === undefined || value === undefined) continue;
    const lower = name.toLowerCase();
    if (options.host !== undefined && lower === 'host') continue;
    if (options.dropExpect === true && lower === 'expect') continue;
    if (ALWAYS_HOP_BY_HOP.has(lower)) {
      if (options.keepUpgrade === true && lower === 'upgrade') out.push(name, value);
      continue;
    }
    if (named?.has(lower) === true) continue;
    out.push(name, value);
  }
  if (options.keepUpgrade === true) out.push('Connection', 'Upgrade');
  return out;
}
