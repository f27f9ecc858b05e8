/**
 * Certificate policy: every number that decides what a jarsync certificate
 * looks like or how long it lives, each with the reason it has this value.
 * The architecture's "Certificates" decision (DESIGN.md) is the source unless
 * a line names another.
 */

const DAY_MS = 86_400_000;

/** The CA lives 10 years (DESIGN.md): a device that trusts it once keeps working for the life of the data dir. */
export const CA_LIFETIME_YEARS = 10;

/** RSA-2048 CA key (DESIGN.md): accepted by every client, and its signature is the cost of every mint. */
export const CA_KEY_RSA_BITS = 2048;

/**
 * The CA signs leaves only, never another CA, so it says so (RFC 5280 §4.2.1.9
 * pathLenConstraint): a leaked leaf key cannot be turned into an intermediate.
 */
export const CA_PATH_LENGTH = 0;

/**
 * Both CA and leaf start one day in the past, so a client whose clock runs up
 * to a day behind still accepts a certificate minted a moment ago.
 */
export const BACKDATE_MS = DAY_MS;

/**
 * A leaf is valid 45 days, the 1-day backdate included (notAfter − notBefore).
 * Chromium caps a leaf's lifetime for roots in Android's system store at 200
 * days from 2026-03-15, 100 from 2027-03-15 and 47 from 2029-03-15 (DESIGN.md);
 * 45 days stays under the last cap, so no client date ever makes jarsync's
 * leaves too long-lived. (RFC 5280 counts notAfter inclusively: the span is 45
 * days and one second, still under 47 days.)
 */
export const LEAF_LIFETIME_MS = 45 * DAY_MS;

/**
 * A cached leaf with less than 7 days left is re-minted. A week keeps a leaf
 * acceptable to clients whose clocks run ahead by days (a laptop resumed from
 * sleep, a phone without network time), and still uses 38 of its 45 days, so
 * a host costs one mint about every five weeks.
 */
export const LEAF_RENEW_MARGIN_MS = 7 * DAY_MS;

/**
 * The certificate cache holds leaves for at most 10,000 hosts. A leaf is about
 * 1 KB of PEM, so the cap bounds the cache near 10–20 MB; a browsing session
 * touches hundreds of hosts, and an evicted host costs one mint (~1 ms).
 */
export const CERT_CACHE_MAX_HOSTS = 10_000;

/**
 * Serial numbers are 128 random bits. CA/Browser Forum Baseline Requirements
 * §7.1 ask for at least 64 bits from a CSPRNG; RFC 5280 §4.1.2.2 allows up to
 * 20 octets, and 16 random octets plus a possible 0x00 sign octet fit.
 */
export const SERIAL_BITS = 128;

/** ub-common-name (RFC 5280 Appendix A.1): a commonName holds at most 64 characters. */
export const COMMON_NAME_MAX_LENGTH = 64;

/**
 * The shared leaf key is EC P-256 by default (DESIGN.md: 29–49 % more TLS
 * handshakes per second than RSA-2048 for the same CPU).
 */
export const LEAF_EC_CURVE = 'prime256v1';

/** The optional RSA leaf key has the CA's size, for clients without ECDSA. */
export const LEAF_RSA_BITS = 2048;

/** Every signature is SHA-256 (DESIGN.md; SHA-1 signatures are refused by current clients). */
export const SIGNATURE_DIGEST = 'sha256';
