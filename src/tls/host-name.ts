/**
 * The canonical form of a host a certificate is minted for, so that every
 * spelling of one host shares one cache entry and one certificate:
 * lower case, no trailing dot, IDNs as punycode, IPv6 without brackets and in
 * its compressed form (RFC 5952).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { JarsyncError } from '../errors.ts';

/** RFC 1035 §2.3.4: 253 characters of name, 63 of label. Underscores are kept: real hosts use them. */
const MAX_NAME_LENGTH = 253;
const DNS_NAME = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

export function normalizeHost(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv4(unbracketed)) return unbracketed;
  if (isIPv6(unbracketed) && !unbracketed.includes('%')) {
    // The WHATWG URL parser serialises IPv6 in RFC 5952 form: lower case, longest zero run as "::".
    return new URL(`http://[${unbracketed}]/`).hostname.slice(1, -1);
  }
  const name = domainToASCII(unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed);
  if (hasControlOrSpace(host) || name.length === 0 || name.length > MAX_NAME_LENGTH || !DNS_NAME.test(name)) {
    throw new JarsyncError('JARSYNC_ERR_MINT', `${JSON.stringify(host)} is not a host name or IP address a certificate can name.`);
  }
  return name;
}

/** The URL host parser silently drops tabs and newlines; a host that has them, or any control or space, is refused instead. */
function hasControlOrSpace(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}
