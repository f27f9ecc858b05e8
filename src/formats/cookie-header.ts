/**
 * The Cookie request header for a list of cookies already selected and
 * ordered for one URL (see CookieFilter.url), as RFC 6265 section 5.4, step 4
 * serializes it:
 *
 *   1. Output the cookie's name, the %x3D ("=") character, and the cookie's value.
 *   2. If there is an unprocessed cookie in the cookie-list, output the
 *      characters %x3B and %x20 ("; ").
 *
 * A cookie with an empty name (which the jar only holds if another writer put
 * it in the store) is output as its value alone, as browsers and RFC 6265bis do.
 */
export function toCookieHeader(cookies: readonly { readonly key: string; readonly value: string }[]): string {
  return cookies.map(({ key, value }) => (key === '' ? value : `${key}=${value}`)).join('; ');
}
