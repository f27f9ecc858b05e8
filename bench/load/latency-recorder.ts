/**
 * Every latency of a run, kept exactly (a growable Float64Array of ms), so
 * that p50 and p99 at one connection are read to the µs rather than to the
 * millisecond buckets a load tool's histogram keeps.
 */
export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class LatencyRecorder {
  #values = new Float64Array(1024);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count] = ms;
    this.#count += 1;
  }

  summary(): LatencySummary {
    return summarizeLatencies(this.#values.subarray(0, this.#count));
  }
}

export function summarizeLatencies(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const count = sorted.length;
  if (count === 0) return { count: 0, meanMs: Number.NaN, p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  let sum = 0;
  for (const value of sorted) sum += value;
  const at = (p: number): number => sorted[Math.min(count - 1, Math.ceil(p * count) - 1)] ?? Number.NaN;
  return { count, meanMs: sum / count, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[count - 1] ?? Number.NaN };
}
