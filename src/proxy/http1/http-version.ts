/**
 * The HTTP-version of a start line (RFC 9112 §2.3):
 *
 *   HTTP-version = HTTP-name "/" DIGIT "." DIGIT
 *   HTTP-name    = %s"HTTP"                ; case-sensitive
 */
import type { WireProblem } from './wire-problem.ts';

/** The two versions HTTP/1.x speaks; a higher 1.x minor is read as 1.1. */
export type HttpVersion = '1.0' | '1.1';

const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f];

/** Bytes an HTTP-version takes. */
export const VERSION_LENGTH = 8;

function isDigit(byte: number): boolean {
  return byte >= DIGIT_0 && byte <= DIGIT_9;
}

/**
 * Reads the HTTP-version at `at`. Null when the bytes end before it does.
 * RFC 9112 §2.3: a recipient of a higher minor version within major version 1
 * "SHOULD process the message as if it were in the highest minor version
 * within that major version to which the recipient is conformant" (1.1 here);
 * another major version is answered 505 (RFC 9110 §15.6.6).
 */
export function readVersion(bytes: Uint8Array, at: number): HttpVersion | WireProblem | null {
  for (let k = 0; k < HTTP_SLASH.length; k++) {
    const byte = bytes[at + k];
    if (byte === undefined) return null;
    if (byte !== HTTP_SLASH[k]) return 'bad-version';
  }
  const major = bytes[at + 5];
  const dot = bytes[at + 6];
  const minor = bytes[at + 7];
  if (major === undefined) return null;
  if (!isDigit(major)) return 'bad-version';
  if (dot === undefined) return null;
  if (dot !== DOT) return 'bad-version';
  if (minor === undefined) return null;
  if (!isDigit(minor)) return 'bad-version';
  if (major !== DIGIT_1) return 'unsupported-version';
  return minor === DIGIT_0 ? '1.0' : '1.1';
}

export function isHttpVersion(value: string): value is HttpVersion {
  return value === '1.0' || value === '1.1';
}
