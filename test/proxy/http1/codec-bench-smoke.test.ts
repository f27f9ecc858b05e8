/** bench/http1-codec.ts runs, at a tiny scale: it measures nothing here, it only must not rot. */
import { describe, expect, it } from 'vitest';
import { runHttp1CodecBench } from '../../../bench/http1-codec.ts';

describe('bench/http1-codec.ts', () => {
  it('runs every scenario and reports a cost for each', () => {
    const results = runHttp1CodecBench({ batchMs: 1, batches: 1 });
    expect(results.scenarios.length).toBeGreaterThanOrEqual(10);
    // One batch of ~1 ms can fall within one tick of the thread's CPU clock: 0 is possible.
    for (const scenario of results.scenarios) expect(Number.isFinite(scenario.nsPerOp), scenario.name).toBe(true);
  });
});
