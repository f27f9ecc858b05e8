/**
 * A cookie as the jar considers storing it: what a Set-Cookie line (or a pair
 * of a Cookie header) says, before the storage model gives it a domain, a
 * path and times. The browser checks run on it, and a cookie that changes
 * nothing (a repeat of what is held) is never made into a tough-cookie Cookie.
 * The fields are tough-cookie's, so a parsed Cookie is a candidate too.
 *
 *   Set-Cookie line ──parseSetCookie──▶ CookieCandidate ──checks──▶ CookieWriter ──▶ Cookie in the index
 *   Cookie-header pair ──────────────▶
 */
export interface CookieCandidate {
  /** The cookie's name. */
  readonly key: string;
  readonly value: string;
  /** The Domain attribute as parsed (lower case, without a leading dot); null without one. */
  readonly domain: string | null;
  /** The Path attribute when it starts with "/"; null otherwise. */
  readonly path: string | null;
  readonly expires: Date | 'Infinity' | null;
  /** Seconds, as parsed; Max-Age wins over Expires. */
  readonly maxAge: number | 'Infinity' | '-Infinity' | null;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** `strict`, `lax` or `none`; undefined without a (known) SameSite attribute. */
  readonly sameSite: string | undefined;
  /** Attributes tough-cookie keeps but does not interpret (`Partitioned`, `Priority=High`). */
  readonly extensions: readonly string[] | null;
}

/** The attributes of a candidate: everything after the first ";" of a Set-Cookie line. */
export type CookieAttributes = Omit<CookieCandidate, 'key' | 'value'>;

/** No attributes at all: a request-side pair, or a Set-Cookie line of a name=value pair alone. */
export const NO_ATTRIBUTES: CookieAttributes = {
  domain: null,
  path: null,
  expires: 'Infinity',
  maxAge: null,
  secure: false,
  httpOnly: false,
  sameSite: undefined,
  extensions: null,
};
