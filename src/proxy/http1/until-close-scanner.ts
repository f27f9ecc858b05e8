/**
 * A response body that runs until the origin closes the connection (RFC 9112
 * §6.3 rules 4 and 8): every byte is body, and the close is its end.
 */
import type { BodyDone, BodyScan, BodyScanner } from './body-scanner.ts';

export class UntilCloseScanner implements BodyScanner {
  #done = false;

  get done(): boolean {
    return this.#done;
  }

  feed(bytes: Uint8Array, start = 0, end: number = bytes.length): BodyScan {
    if (this.#done) return { kind: 'done', consumed: 0 };
    return { kind: 'more', consumed: end - start };
  }

  finish(): BodyDone {
    this.#done = true;
    return { kind: 'done', consumed: 0 };
  }
}
