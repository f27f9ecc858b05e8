/** The scanner that follows a body framed as `framing`. */
import type { BodyFraming } from './body-framing.ts';
import type { BodyScanner } from './body-scanner.ts';
import type { ChunkedLimits } from './chunked-scanner.ts';
import { CHUNKED_LIMITS, ChunkedScanner } from './chunked-scanner.ts';
import { LengthScanner } from './length-scanner.ts';
import { UntilCloseScanner } from './until-close-scanner.ts';
import type { Side } from './wire-problem.ts';

/**
 * A fresh scanner for one body. `none`, `interim` and `tunnel` have no body in
 * this message: their scanner is done from the start (consumes nothing), so
 * the caller treats every message alike.
 */
export function bodyScannerFor(framing: BodyFraming, side: Side, limits: ChunkedLimits = CHUNKED_LIMITS): BodyScanner {
  switch (framing.kind) {
    case 'length':
      return new LengthScanner(framing.length, side);
    case 'chunked':
      return new ChunkedScanner(side, limits);
    case 'close':
      return new UntilCloseScanner();
    case 'none':
    case 'interim':
    case 'tunnel':
      return new LengthScanner(0, side);
  }
}
