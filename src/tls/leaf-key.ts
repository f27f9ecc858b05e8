/**
 * The process-wide leaf key pair: one key for every leaf certificate the
 * process mints (DESIGN.md). A key per host would cost 104–136 ms of RSA
 * generation per first request; a shared key costs nothing per host, and a
 * new process gets a new key, so a key never outlives the process that holds it.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { LEAF_EC_CURVE, LEAF_RSA_BITS } from './cert-policy.ts';

/** `ec` is P-256, the default; `rsa` is RSA-2048, for clients without ECDSA. */
export type LeafKeyType = 'ec' | 'rsa';

export interface LeafKey {
  readonly type: LeafKeyType;
  /** PKCS#8 PEM: what the TLS servers present with every leaf. */
  readonly privateKeyPem: string;
  /** SPKI PEM: what every leaf certificate certifies. */
  readonly publicKeyPem: string;
}

const generate = promisify(generateKeyPair);

/** Generates the shared leaf key, off the event loop (libuv's thread pool). Defaults to EC P-256. */
export async function createLeafKey(type: LeafKeyType = 'ec'): Promise<LeafKey> {
  const encoding = {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  } as const;
  const { privateKey, publicKey } =
    type === 'ec'
      ? await generate('ec', { namedCurve: LEAF_EC_CURVE, ...encoding })
      : await generate('rsa', { modulusLength: LEAF_RSA_BITS, ...encoding });
  return { type, privateKeyPem: privateKey, publicKeyPem: publicKey };
}
