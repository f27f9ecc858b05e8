/**
 * From rounds of measurements to the rows of a scenario's table: medians
 * and ranges per contender, then each contender's requests/s against
 * direct's and against the jarsync row the scenario names as reference.
 */
import type { ContenderName } from '../contenders/contender.ts';
import type { ContenderSamples } from '../scenarios/rounds.ts';
import type { Measurement } from '../scenarios/measure.ts';
import type { ContenderRow } from './results.ts';
import { spread } from './spread.ts';
import type { Spread } from './spread.ts';

export interface Sample {
  readonly measurement: Measurement;
  /** Scenario-specific measures of this round. */
  readonly extra?: Readonly<Record<string, number | null>>;
}

export function buildRows(results: readonly ContenderSamples<Sample>[], reference: ContenderName): ContenderRow[] {
  const rows = results.map((result): ContenderRow => {
    const measurements = result.samples.map((sample) => sample.measurement);
    const errorKinds: Record<string, number> = {};
    for (const measurement of measurements) {
      for (const [kind, count] of Object.entries(measurement.load.errorKinds)) errorKinds[kind] = (errorKinds[kind] ?? 0) + count;
    }
    const extraNames = new Set(result.samples.flatMap((sample) => Object.keys(sample.extra ?? {})));
    const extra: Record<string, Spread | null> = {};
    for (const name of extraNames) extra[name] = spread(result.samples.map((sample) => sample.extra?.[name] ?? null));
    const status = result.skipped !== null ? 'skipped' : result.failed !== null && measurements.length === 0 ? 'failed' : 'measured';
    return {
      contender: result.contender,
      status,
      reason: result.skipped ?? result.failed,
      rounds: measurements.length,
      cpuMicrosPerRequest: spread(measurements.map((m) => m.proxyCpuMicrosPerRequest)),
      requestsPerSecond: spread(measurements.map((m) => m.requestsPerSecond)),
      p50Ms: spread(measurements.map((m) => m.load.latency.p50Ms)),
      p99Ms: spread(measurements.map((m) => m.load.latency.p99Ms)),
      requests: measurements.reduce((sum, m) => sum + m.load.requests, 0),
      errors: measurements.reduce((sum, m) => sum + m.load.errors, 0),
      errorKinds,
      vsDirect: null,
      vsJarsync: null,
      originCpuMicrosPerRequest: spread(measurements.map((m) => m.originCpuMicrosPerRequest)),
      clientCpuMicrosPerRequest: spread(measurements.map((m) => m.clientCpuMicrosPerRequest)),
      extra,
    };
  });
  const medianOf = (name: ContenderName): number | null => rows.find((row) => row.contender === name)?.requestsPerSecond?.median ?? null;
  const direct = medianOf('direct');
  const jarsync = medianOf(reference);
  return rows.map((row) => {
    const own = row.requestsPerSecond?.median ?? null;
    return {
      ...row,
      vsDirect: own === null || direct === null || direct === 0 ? null : own / direct,
      vsJarsync: own === null || jarsync === null || jarsync === 0 ? null : own / jarsync,
    };
  });
}
