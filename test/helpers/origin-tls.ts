/**
 * The origin-server test PKI (test/fixtures/origin/, made by its make.sh) as
 * PEM strings, read once at import: a CA that is not jarsync's, and a server
 * certificate for localhost, origin.test, *.origin.test, 127.0.0.1 and ::1.
 */
import { readFileSync } from 'node:fs';

const read = (file: string): string => readFileSync(new URL(`../fixtures/origin/${file}`, import.meta.url), 'utf8');

/** The test CA that signed `originCertPem`; give it to clients as `ca`. */
export const originCaPem = read('ca.pem');
/** The origin server's certificate. */
export const originCertPem = read('cert.pem');
/** The origin server's private key (PKCS#8). */
export const originKeyPem = read('key.pem');
