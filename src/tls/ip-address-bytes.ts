/**
 * The network-order bytes of an IP literal, as a subjectAltName iPAddress
 * carries them (RFC 5280 §4.2.1.6: 4 octets for IPv4, 16 for IPv6).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { JarsyncError } from '../errors.ts';

export function ipAddressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (isIPv6(address)) return ipv6Bytes(address);
  throw new JarsyncError('JARSYNC_ERR_MINT', `${JSON.stringify(address)} is not an IPv4 or IPv6 address.`);
}

function ipv6Bytes(address: string): Buffer {
  // A zone ("fe80::1%eth0") names a local interface; it is not part of the address.
  const bare = address.split('%', 1)[0] ?? address;
  const [head = '', tail] = bare.split('::', 2);
  const headGroups = groups(head);
  const tailGroups = tail === undefined ? [] : groups(tail);
  const missing = 8 - headGroups.length - tailGroups.length;
  const all = [...headGroups, ...new Array<number>(tail === undefined ? 0 : missing).fill(0), ...tailGroups];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}

/** Hex groups of one side of "::"; a trailing dotted quad ("::ffff:1.2.3.4") counts as two groups. */
function groups(part: string): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((group) => {
    if (!group.includes('.')) return [Number.parseInt(group, 16)];
    const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
    return [a * 256 + b, c * 256 + d];
  });
}
