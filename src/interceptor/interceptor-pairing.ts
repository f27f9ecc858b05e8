/**
 * Pairing the browser extension without a native bridge: `jarsync start`
 * prints a short code, the user types it into the extension's options page,
 * and the extension trades it for a scoped token.
 *
 *   pairing code (this run, printed) ──POST /api/interceptor/pair──▶ scoped token (kept by the extension)
 *   scoped token ──▶ may write interceptor cookies and read the domain list; nothing else
 *
 * Tokens are remembered as SHA-256 digests in `<data dir>/interceptor-tokens`
 * (0600), so a paired extension stays paired across restarts, and the file
 * alone does not hand a token to whoever reads it. The code is eight
 * characters of an alphabet without look-alikes (40 bits); after
 * MAX_FAILED_PAIRINGS wrong codes, pairing is closed until jarsync restarts,
 * so guessing it is hopeless.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JarsyncError } from '../errors.ts';

export const INTERCEPTOR_TOKENS_FILE = 'interceptor-tokens';

/** No 0/O, 1/I/L, U: a code read off a terminal is typed right. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
const CODE_LENGTH = 8;
/** Wrong codes tolerated in one run; then pairing needs a restart (and a new code). */
export const MAX_FAILED_PAIRINGS = 20;
/** 256 bits, as the admin token. */
const TOKEN_BYTES = 32;
/** Scoped tokens carry a prefix, so one is never mistaken for the admin token (in a log, a bug report). */
const TOKEN_PREFIX = 'jsi_';
const BEARER = /^Bearer +(\S+) *$/i;

export interface InterceptorPairingOptions {
  /** Where the token digests are kept; null keeps them in memory only. */
  readonly dataDir: string | null;
  /** The code for this run; a random one unless given (tests). */
  readonly code?: string;
}

export class InterceptorPairing {
  readonly code: string;
  readonly #path: string | null;
  #digests = new Set<string>();
  #failed = 0;

  private constructor(options: InterceptorPairingOptions) {
    this.code = options.code ?? newCode();
    this.#path = options.dataDir === null ? null : join(options.dataDir, INTERCEPTOR_TOKENS_FILE);
  }

  /** Loads the digests of tokens handed out before; a missing file is no token yet. */
  static async open(options: InterceptorPairingOptions): Promise<InterceptorPairing> {
    const pairing = new InterceptorPairing(options);
    if (pairing.#path !== null) {
      try {
        const text = await readFile(pairing.#path, 'utf8');
        pairing.#digests = new Set(text.split('\n').map((line) => line.trim()).filter((line) => /^[0-9a-f]{64}$/.test(line)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `Cannot read ${pairing.#path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }
    }
    return pairing;
  }

  /** Tokens handed out and still valid. */
  get tokens(): number {
    return this.#digests.size;
  }

  /**
   * Trades the pairing code for a new scoped token. JARSYNC_ERR_UNAUTHORIZED
   * for a wrong code; JARSYNC_ERR_FORBIDDEN once too many wrong codes were tried.
   */
  async pair(code: string): Promise<string> {
    if (this.#failed >= MAX_FAILED_PAIRINGS) {
      throw new JarsyncError('JARSYNC_ERR_FORBIDDEN', `Pairing is closed after ${MAX_FAILED_PAIRINGS} wrong codes; restart jarsync for a new pairing code.`);
    }
    const typed = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (!timingSafeEqual(digest(typed), digest(this.code.replace('-', '')))) {
      this.#failed += 1;
      throw new JarsyncError('JARSYNC_ERR_UNAUTHORIZED', 'Wrong pairing code: use the one `jarsync start` printed (pairing: XXXX-XXXX).');
    }
    const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
    this.#digests.add(digest(token).toString('hex'));
    await this.#save();
    return token;
  }

  /** Whether an `Authorization` header carries a scoped token handed out by pair(). */
  isToken(authorization: string | undefined): boolean {
    const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (presented?.startsWith(TOKEN_PREFIX) !== true) return false;
    return this.#digests.has(digest(presented).toString('hex'));
  }

  /** Revokes every scoped token (the extension then has to pair again). */
  async revokeAll(): Promise<void> {
    this.#digests.clear();
    await this.#save();
  }

  async #save(): Promise<void> {
    if (this.#path === null) return;
    const temporary = `${this.#path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, [...this.#digests].map((line) => `${line}\n`).join(''), { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.#path);
  }
}

function newCode(): string {
  let code = '';
  for (let index = 0; index < CODE_LENGTH; index += 1) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)] ?? 'A';
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
