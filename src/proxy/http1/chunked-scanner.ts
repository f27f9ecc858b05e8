/**
 * Finds the end of a chunked body (RFC 9112 §7.1) without copying or decoding
 * it: the proxy passes the bytes on in their own framing, so all it needs is
 * where the last chunk, the trailer section and the final CRLF end.
 *
 *   chunked-body   = *chunk last-chunk trailer-section CRLF
 *   chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size     = 1*HEXDIG
 *   last-chunk     = 1*("0") [ chunk-ext ] CRLF
 *   chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 *   trailer-section = *( field-line CRLF )
 *
 *   SIZE_FIRST ─hex─▶ SIZE ─CR─▶ SIZE_LF ─LF─▶ DATA ─n bytes─▶ DATA_CR ─CR─▶ DATA_LF ─LF─▶ SIZE_FIRST
 *                      │ ";" / BWS ─▶ EXT ─CR─┘        │ size 0
 *                                                     ▼
 *              TRAILER_LINE ─tchar─▶ TRAILER_NAME ─":"─▶ TRAILER_VALUE ─CR─▶ TRAILER_LF ─LF─┐
 *                   ▲ │ CR                                                                 │
 *                   │ └──▶ END_LF ─LF─▶ DONE                                                │
 *                   └──────────────────────────────────────────────────────────────────────┘
 *
 * Strict where a laxer parser elsewhere could draw another boundary (request
 * smuggling through chunk lines): only CRLF ends a line, in size
 * lines, after chunk data and in trailers; no whitespace before the size, and
 * after it only before a ";"; chunk extensions are skipped but may hold no
 * control character other than HTAB (a bare LF inside one is a line end to
 * some servers); no sign, no "0x", and a size that does not fit is refused.
 */
import { COLON, CR, DEL, HEX_VALUE, HTAB, LF, SEMICOLON, SP, TCHAR } from './char-classes.ts';
import type { BodyDone, BodyScan, BodyScanner } from './body-scanner.ts';
import type { Side, WireError, WireProblem } from './wire-problem.ts';
import { wireError } from './wire-problem.ts';

export interface ChunkedLimits {
  /**
   * Longest chunk-ext of one chunk, in bytes. Defaults to 16,384: Node's limit
   * on chunk extensions since CVE-2024-22019 (a body of endless extensions
   * kept a server reading without ever delivering data).
   */
  readonly maxExtensionBytes: number;
  /** Largest trailer section, in bytes. Defaults to 16,384, the head limit. */
  readonly maxTrailerBytes: number;
}

export const CHUNKED_LIMITS: ChunkedLimits = Object.freeze({ maxExtensionBytes: 16_384, maxTrailerBytes: 16_384 });

/**
 * Hex digits in one chunk-size: 2^53 - 1 (the largest exact count) needs 14;
 * 16 leaves room for leading zeros and stops an endless run of them.
 */
const MAX_SIZE_DIGITS = 16;
/** Beyond this, one more hex digit would leave the exact integers. */
const MAX_SIZE_BEFORE_DIGIT = Math.floor(Number.MAX_SAFE_INTEGER / 16);

const SIZE_FIRST = 0;
const SIZE = 1;
const SIZE_BWS = 2;
const EXT = 3;
const SIZE_LF = 4;
const DATA = 5;
const DATA_CR = 6;
const DATA_LF = 7;
const TRAILER_LINE = 8;
const TRAILER_NAME = 9;
const TRAILER_VALUE = 10;
const TRAILER_LF = 11;
const END_LF = 12;
const DONE = 13;

/** A control byte that may not appear in an extension or trailer value (HTAB may). */
function isForbiddenControl(c: number): boolean {
  return (c < SP && c !== HTAB) || c === DEL;
}

export class ChunkedScanner implements BodyScanner {
  readonly #side: Side;
  readonly #limits: ChunkedLimits;
  #state = SIZE_FIRST;
  /** The chunk-size being read, then the chunk-data bytes still to come. */
  #size = 0;
  /** Hex digits read (SIZE), extension bytes (SIZE_BWS, EXT) or trailer bytes (TRAILER_*, END_LF). */
  #count = 0;
  #error: WireError | null = null;

  constructor(side: Side, limits: ChunkedLimits = CHUNKED_LIMITS) {
    this.#side = side;
    this.#limits = limits;
  }

  get done(): boolean {
    return this.#state === DONE;
  }

  feed(bytes: Uint8Array, start = 0, end: number = bytes.length): BodyScan {
    if (this.#error !== null) return this.#error;
    if (this.#state === DONE) return { kind: 'done', consumed: 0 };
    const { maxExtensionBytes, maxTrailerBytes } = this.#limits;
    let state = this.#state;
    let size = this.#size;
    let count = this.#count;
    let i = start;
    while (i < end) {
      if (state === DATA) {
        // The chunk's data is skipped whole: no per-byte work on the body.
        const take = Math.min(size, end - i);
        i += take;
        size -= take;
        if (size === 0) state = DATA_CR;
        continue;
      }
      const c = bytes[i++] ?? 0;
      switch (state) {
        case SIZE_FIRST: {
          const digit = HEX_VALUE[c] ?? -1;
          if (digit < 0) return this.#fail('bad-chunk-size');
          size = digit;
          count = 1;
          state = SIZE;
          break;
        }
        case SIZE: {
          const digit = HEX_VALUE[c] ?? -1;
          if (digit >= 0) {
            if (++count > MAX_SIZE_DIGITS || size > MAX_SIZE_BEFORE_DIGIT) return this.#fail('chunk-size-too-large');
            size = size * 16 + digit;
          } else if (c === CR) {
            state = SIZE_LF;
          } else if (c === SEMICOLON) {
            count = 1;
            state = EXT;
          } else if (c === SP || c === HTAB) {
            count = 1;
            state = SIZE_BWS;
          } else {
            return this.#fail(c === LF ? 'bare-lf' : 'bad-chunk-size');
          }
          break;
        }
        case SIZE_BWS:
          // BWS is allowed only before a ";": "5 \r\n" is not a chunk-size line.
          if (++count > maxExtensionBytes) return this.#fail('chunk-extension-too-long');
          if (c === SEMICOLON) state = EXT;
          else if (c !== SP && c !== HTAB) return this.#fail('bad-chunk-size');
          break;
        case EXT:
          if (c === CR) {
            state = SIZE_LF;
          } else {
            if (isForbiddenControl(c)) return this.#fail('bad-chunk-extension');
            if (++count > maxExtensionBytes) return this.#fail('chunk-extension-too-long');
          }
          break;
        case SIZE_LF:
          if (c !== LF) return this.#fail('bare-cr');
          if (size === 0) {
            count = 0;
            state = TRAILER_LINE;
          } else {
            state = DATA;
          }
          break;
        case DATA_CR:
          if (c !== CR) return this.#fail('missing-chunk-crlf');
          state = DATA_LF;
          break;
        case DATA_LF:
          if (c !== LF) return this.#fail('missing-chunk-crlf');
          state = SIZE_FIRST;
          break;
        default: {
          // The trailer section: field lines, skipped, then the final CRLF.
          if (++count > maxTrailerBytes) return this.#fail('trailer-too-large');
          const next = trailerStep(state, c);
          if (typeof next === 'string') return this.#fail(next);
          state = next;
          if (state === DONE) {
            this.#state = DONE;
            return { kind: 'done', consumed: i - start };
          }
        }
      }
    }
    this.#state = state;
    this.#size = size;
    this.#count = count;
    return { kind: 'more', consumed: end - start };
  }

  finish(): BodyDone | WireError {
    if (this.#error !== null) return this.#error;
    return this.#state === DONE ? { kind: 'done', consumed: 0 } : this.#fail('body-cut-short');
  }

  #fail(problem: WireProblem): WireError {
    this.#error = wireError(problem, this.#side);
    return this.#error;
  }
}

/** One byte of the trailer section (RFC 9112 §7.1.2: field lines as in a head). */
function trailerStep(state: number, c: number): number | WireProblem {
  switch (state) {
    case TRAILER_LINE:
      if (c === CR) return END_LF;
      return TCHAR[c] === 1 ? TRAILER_NAME : 'bad-trailer';
    case TRAILER_NAME:
      if (c === COLON) return TRAILER_VALUE;
      return TCHAR[c] === 1 ? TRAILER_NAME : 'bad-trailer';
    case TRAILER_VALUE:
      if (c === CR) return TRAILER_LF;
      return isForbiddenControl(c) ? 'bad-trailer' : TRAILER_VALUE;
    case TRAILER_LF:
      return c === LF ? TRAILER_LINE : 'bare-cr';
    default:
      // END_LF
      return c === LF ? DONE : 'bare-cr';
  }
}
