/** The median of a few rounds and the range they spanned: one noisy round shows in the range, not in the median. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly (number | null)[]): Spread | null {
  const known = values.filter((value): value is number => value !== null && Number.isFinite(value)).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const middle = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? (known[middle] ?? Number.NaN) : ((known[middle - 1] ?? 0) + (known[middle] ?? 0)) / 2;
  return { median, min: known[0] ?? Number.NaN, max: known[known.length - 1] ?? Number.NaN };
}
