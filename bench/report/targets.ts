/**
 * The targets of the benchmark issue, each checked against a run's results:
 * met, not met, or not measured (a contender or scenario missing). Medians of
 * the rounds are compared; the range is in the tables.
 */
import type { ContenderName } from '../contenders/contender.ts';
import type { ContenderRow, CookiePathScenarioResult, ProxyScenarioResult, ScenarioId, ScenarioResult } from './results.ts';

export interface TargetLine {
  readonly measure: string;
  readonly target: string;
  /** What the run measured, in words and numbers; `not measured` when it could not. */
  readonly value: string;
  readonly met: boolean | null;
}

function proxyScenario(results: readonly ScenarioResult[], id: ScenarioId): ProxyScenarioResult | undefined {
  const found = results.find((result) => result.id === id);
  return found?.kind === 'proxy' ? found : undefined;
}

function row(results: readonly ScenarioResult[], id: ScenarioId, contender: ContenderName): ContenderRow | undefined {
  const found = proxyScenario(results, id)?.rows.find((candidate) => candidate.contender === contender);
  return found?.status === 'measured' ? found : undefined;
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

function atMost(measure: string, target: string, value: number | null | undefined, limit: number, unit: string, digits = 0): TargetLine {
  if (value === null || value === undefined || !Number.isFinite(value)) return { measure, target, value: 'not measured', met: null };
  return { measure, target, value: `${fixed(value, digits)}${unit === '×' ? '' : ' '}${unit}`, met: value <= limit };
}

function atLeast(measure: string, target: string, value: number | null | undefined, limit: number, unit: string, digits = 2): TargetLine {
  if (value === null || value === undefined || !Number.isFinite(value)) return { measure, target, value: 'not measured', met: null };
  return { measure, target, value: `${fixed(value, digits)}${unit}`, met: value >= limit };
}

/** Median requests/s of `a` over that of `b` in one scenario. */
function ratio(results: readonly ScenarioResult[], id: ScenarioId, a: ContenderName, b: ContenderName): number | null {
  const top = row(results, id, a)?.requestsPerSecond?.median;
  const bottom = row(results, id, b)?.requestsPerSecond?.median;
  return top === undefined || bottom === undefined || bottom === 0 ? null : top / bottom;
}

/** The rate of filterDomains and the jar actor in series: each event pays both. */
function cookiePathRate(g: CookiePathScenarioResult | undefined, store: 'memory' | 'sqlite'): number | null {
  const jar = g?.jar?.throughput.find((entry) => entry.workload === 'mixed' && entry.store === store)?.eventsPerSecond;
  const filter = g?.filterDomains.eventsPerSecond;
  if (jar === undefined || filter === undefined || jar === 0 || filter === 0) return null;
  return 1 / (1 / jar + 1 / filter);
}

export function checkTargets(results: readonly ScenarioResult[]): TargetLine[] {
  const cpu = (id: ScenarioId): number | undefined => row(results, id, 'jarsync-w1')?.cpuMicrosPerRequest?.median;
  const lines: TargetLine[] = [
    atMost('proxy CPU per request, capture on, 1 worker: plain HTTP (h-plain)', '≤ 60 µs', cpu('h-plain'), 60, 'µs'),
    atMost('proxy CPU per request, capture on, 1 worker: HTTPS keep-alive (h-https)', '≤ 70 µs', cpu('h-https'), 70, 'µs'),
    atMost('proxy CPU per new TLS connection, capture on, 1 worker (h-new)', '≤ 500 µs', cpu('h-new'), 500, 'µs'),
    atLeast('throughput vs http-mitm-proxy: plain HTTP (a)', '≥ 2×', ratio(results, 'a', 'jarsync', 'http-mitm-proxy'), 2, '×'),
    atLeast('throughput vs http-mitm-proxy: HTTPS keep-alive (b)', '≥ 3×', ratio(results, 'b', 'jarsync', 'http-mitm-proxy'), 3, '×'),
    atLeast('throughput vs http-mitm-proxy: new connections (c)', '≥ 3×', ratio(results, 'c', 'jarsync', 'http-mitm-proxy'), 3, '×'),
    atLeast('throughput vs mitmdump: plain HTTP (a)', '≥ 15×', ratio(results, 'a', 'jarsync', 'mitmdump'), 15, '×'),
    atLeast('throughput vs mitmdump: HTTPS keep-alive (b)', '≥ 12×', ratio(results, 'b', 'jarsync', 'mitmdump'), 12, '×'),
    atLeast('new-connection HTTPS vs direct (c)', '≥ 0.9×', ratio(results, 'c', 'jarsync', 'direct'), 0.9, '×'),
    atLeast('capture on vs capture off: plain HTTP (a)', '≥ 0.9×', ratio(results, 'a', 'jarsync', 'jarsync-off'), 0.9, '×'),
    atMost('latency added at one connection, p50: HTTP (e-http)', '≤ 120 µs', row(results, 'e-http', 'jarsync')?.extra['added µs']?.median, 120, 'µs'),
    atMost('latency added at one connection, p50: HTTPS (e-https)', '≤ 150 µs', row(results, 'e-https', 'jarsync')?.extra['added µs']?.median, 150, 'µs'),
  ];

  const firstContact = row(results, 'd1', 'jarsync')?.p50Ms?.median;
  const firstDirect = row(results, 'd1', 'direct')?.p50Ms?.median;
  lines.push(
    atMost(
      'first contact to a new host vs direct, p50 (d1)',
      '≤ 3×',
      firstContact === undefined || firstDirect === undefined || firstDirect === 0 ? null : firstContact / firstDirect,
      3,
      '×',
      2,
    ),
  );
  const perHost = row(results, 'd1', 'jarsync')?.cpuMicrosPerRequest?.median;
  const perConnection = row(results, 'c', 'jarsync')?.cpuMicrosPerRequest?.median;
  lines.push(
    atMost(
      'minting CPU per host (d1 CPU per new host less c CPU per new connection)',
      '≤ 1.5 ms',
      perHost === undefined || perConnection === undefined ? null : (perHost - perConnection) / 1000,
      1.5,
      'ms',
      2,
    ),
  );
  const mints = row(results, 'd2', 'jarsync')?.extra['mints'];
  lines.push(
    mints === null || mints === undefined
      ? { measure: '50 simultaneous first handshakes to one host: mints (d2)', target: 'exactly 1', value: 'not measured', met: null }
      : {
          measure: '50 simultaneous first handshakes to one host: mints (d2)',
          target: 'exactly 1',
          value: mints.min === mints.max ? `${mints.median} in every round` : `${mints.min}–${mints.max}`,
          met: mints.min === 1 && mints.max === 1,
        },
  );
  lines.push(
    atMost('memory per idle connection: plain (f-plain)', '≤ 15 KB', row(results, 'f-plain', 'jarsync')?.extra['KB/conn']?.median, 15, 'KB', 1),
    atMost('memory per idle connection: MITM (f-mitm)', '≤ 40 KB', row(results, 'f-mitm', 'jarsync')?.extra['KB/conn']?.median, 40, 'KB', 1),
  );

  const g = results.find((result): result is CookiePathScenarioResult => result.kind === 'cookie-path');
  const inMemory = cookiePathRate(g, 'memory');
  const committed = cookiePathRate(g, 'sqlite');
  lines.push(
    inMemory === null
      ? { measure: 'cookie path in memory (g, mixed workload, filterDomains + jar actor)', target: '≥ 100k events/s', value: 'not measured', met: null }
      : { measure: 'cookie path in memory (g, mixed workload, filterDomains + jar actor)', target: '≥ 100k events/s', value: `${Math.round(inMemory / 1000)}k events/s`, met: inMemory >= 100_000 },
    committed === null
      ? { measure: 'cookie path committed to SQLite (g, mixed workload)', target: '≥ 50k events/s', value: 'not measured', met: null }
      : { measure: 'cookie path committed to SQLite (g, mixed workload)', target: '≥ 50k events/s', value: `${Math.round(committed / 1000)}k events/s`, met: committed >= 50_000 },
    atMost('event→commit p99 at a steady 10k events/s (g)', '≤ 100 ms', g?.jar?.latency[0]?.p99Ms, 100, 'ms', 1),
  );

  const shapes = (['h-plain', 'h-https', 'h-new'] as const).map((id) => ({ id, value: ratio(results, id, 'jarsync-w2', 'jarsync-w1') }));
  const known = shapes.filter((shape): shape is { id: (typeof shapes)[number]['id']; value: number } => shape.value !== null);
  lines.push(
    known.length === 0
      ? { measure: '--workers 2 vs --workers 1 (h)', target: '≥ 0.9× in every shape', value: 'not measured', met: null }
      : {
          measure: '--workers 2 vs --workers 1 (h)',
          target: '≥ 0.9× in every shape',
          value: known.map((shape) => `${shape.id.slice(2)} ${shape.value.toFixed(2)}×`).join(', '),
          met: known.length === shapes.length ? known.every((shape) => shape.value >= 0.9) : null,
        },
  );
  return lines;
}
