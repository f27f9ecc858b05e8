/**
 * Proxy authentication: `Proxy-Authorization: Basic …` (RFC 9110 §11.7.2,
 * RFC 7617) checked against the `--auth user:password` credentials. The user
 * that matched names the device on its cookie events.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ProxyCredential } from '../workers/protocol.ts';

/**
 * What a 407 asks for. RFC 7617 §2.1: the realm is required; `charset="UTF-8"`
 * tells the client to encode a non-ASCII user or password as UTF-8, the
 * encoding the credentials are compared in.
 */
export const PROXY_AUTHENTICATE = 'Basic realm="jarsync", charset="UTF-8"';

/**
 * A user name is a device name that goes into every cookie event's `client`
 * (`user@address:port`): letters, digits, `.`, `_`, `~` and `-` keep it one
 * unambiguous token, and RFC 7617 §2 forbids a colon in it anyway.
 */
const USER = /^[A-Za-z0-9._~-]{1,64}$/;

/**
 * Reads `user:password` (the password may hold colons, RFC 7617 §2: the
 * user-id ends at the first one). Null when the user is not a device name as
 * above, or the password is empty or holds a control character.
 */
export function parseCredential(text: string): ProxyCredential | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const user = text.slice(0, colon);
  const password = text.slice(colon + 1);
  return checkCredential({ user, password });
}

/** The credential itself when usable (see parseCredential), else null. */
export function checkCredential(credential: ProxyCredential): ProxyCredential | null {
  const { user, password } = credential;
  if (typeof user !== 'string' || typeof password !== 'string') return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!USER.test(user) || password === '' || /[\u0000-\u001f\u007f]/.test(password)) return null;
  return { user, password };
}

/** The credentials of a Basic header: base64 of `user:password`, RFC 7617 §2. */
const BASIC = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;

const digest = (bytes: Buffer | string): Buffer => createHash('sha256').update(bytes).digest();

export class ProxyAuth {
  /**
   * SHA-256 of each `user:password`. Hashing gives every candidate the same
   * length, so timingSafeEqual compares them in constant time without the
   * length of a stored credential showing through.
   */
  readonly #known: readonly { readonly user: string; readonly digest: Buffer }[];

  constructor(credentials: readonly ProxyCredential[]) {
    this.#known = credentials.map(({ user, password }) => ({ user, digest: digest(`${user}:${password}`) }));
  }

  /** Whether requests must carry credentials. */
  get required(): boolean {
    return this.#known.length > 0;
  }

  /**
   * The user a Proxy-Authorization value proves, or null. Every known
   * credential is compared, whichever matches, so the time taken says
   * nothing about which users exist.
   */
  authenticate(header: string | undefined): string | null {
    if (header === undefined) return null;
    const encoded = BASIC.exec(header)?.[1];
    if (encoded === undefined) return null;
    const offered = digest(Buffer.from(encoded, 'base64'));
    let user: string | null = null;
    for (const known of this.#known) {
      const same = timingSafeEqual(offered, known.digest);
      if (same && user === null) user = known.user;
    }
    return user;
  }
}
