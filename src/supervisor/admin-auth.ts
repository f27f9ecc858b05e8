/**
 * The admin API's bearer check (RFC 6750 section 2.1:
 * `Authorization: Bearer <token>`).
 *
 * The comparison must not leak, through its timing, how much of a guess was
 * right. `timingSafeEqual` needs inputs of equal length, and comparing lengths
 * first would leak the token's length; so both sides are hashed to SHA-256
 * digests, which always have 32 bytes, and the digests are compared.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The scheme is case-insensitive (RFC 9110 section 11.1); the token is one b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Returns a function that tells whether an `Authorization` header carries `token`. */
export function createBearerCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    // A missing or malformed header is still compared, against an empty token,
    // so that every refusal takes the same path.
    return timingSafeEqual(digest(presented ?? ''), expected) && presented !== undefined;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
