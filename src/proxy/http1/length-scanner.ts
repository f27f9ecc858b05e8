/** A body of a known length: Content-Length, or none at all (length 0). */
import type { BodyDone, BodyScan, BodyScanner } from './body-scanner.ts';
import type { Side, WireError } from './wire-problem.ts';
import { wireError } from './wire-problem.ts';

export class LengthScanner implements BodyScanner {
  #remaining: number;
  readonly #side: Side;

  constructor(length: number, side: Side) {
    this.#remaining = length;
    this.#side = side;
  }

  get done(): boolean {
    return this.#remaining === 0;
  }

  /** Bytes of the body not seen yet. */
  get remaining(): number {
    return this.#remaining;
  }

  feed(bytes: Uint8Array, start = 0, end: number = bytes.length): BodyScan {
    const available = end - start;
    if (available < this.#remaining) {
      this.#remaining -= available;
      return { kind: 'more', consumed: available };
    }
    const consumed = this.#remaining;
    this.#remaining = 0;
    return { kind: 'done', consumed };
  }

  finish(): BodyDone | WireError {
    return this.#remaining === 0 ? { kind: 'done', consumed: 0 } : wireError('body-cut-short', this.#side);
  }
}
