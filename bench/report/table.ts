/**
 * The tables a run prints (and bench/README.md shows): per scenario, a row per
 * contender with proxy CPU per request first, then requests/s, latency,
 * errors and the ratios; then the cookie path; then a line per target.
 * A spread prints as `median [min–max]` when there was more than one round.
 */
import type { BenchResults, ContenderRow, CookiePathScenarioResult, ProxyScenarioResult } from './results.ts';
import type { Spread } from './spread.ts';
import type { TargetLine } from './targets.ts';

function number(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatSpread(value: Spread | null | undefined, scale = 1): string {
  if (value === null || value === undefined) return '-';
  const median = number(value.median * scale);
  if (value.min === value.max) return median;
  return `${median} [${number(value.min * scale)}–${number(value.max * scale)}]`;
}

function ratio(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(2)}×`;
}

/** Rows as a Markdown-compatible table (it reads as well in a terminal). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function rowCells(row: ContenderRow, extras: readonly string[]): string[] {
  if (row.status !== 'measured') return [row.contender, `${row.status}: ${row.reason ?? ''}`, ...Array.from({ length: 8 + extras.length }, () => '')];
  const kinds = Object.entries(row.errorKinds)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  return [
    row.contender,
    formatSpread(row.cpuMicrosPerRequest),
    formatSpread(row.requestsPerSecond),
    formatSpread(row.p50Ms),
    formatSpread(row.p99Ms),
    row.errors === 0 ? '0' : `${row.errors} (${kinds})`,
    ratio(row.vsDirect),
    ratio(row.vsJarsync),
    formatSpread(row.originCpuMicrosPerRequest),
    formatSpread(row.clientCpuMicrosPerRequest),
    ...extras.map((name) => formatSpread(row.extra[name])),
  ];
}

export function proxyScenarioTable(result: ProxyScenarioResult): string {
  const extras = [...new Set(result.rows.flatMap((row) => Object.keys(row.extra)))];
  const reference = result.reference === 'jarsync' ? '× jarsync' : `× ${result.reference}`;
  const header = ['contender', 'CPU µs/req', 'req/s', 'p50 ms', 'p99 ms', 'errors', '× direct', reference, 'origin µs/req', 'client µs/req', ...extras];
  return [
    `(${result.id}) ${result.title}`,
    `client: ${result.client}`,
    '',
    table(header, result.rows.map((row) => rowCells(row, extras))),
    ...result.notes.map((note) => `- ${note}`),
  ].join('\n');
}

export function cookiePathTable(result: CookiePathScenarioResult): string {
  const lines = [`(g) ${result.title}`, ''];
  const filter = result.filterDomains;
  lines.push(
    table(
      ['stage', 'workload', 'store', 'events/s', 'CPU µs/event'],
      [
        ['filterDomains', `${filter.events} events, ${filter.passed} passed`, '-', number(filter.eventsPerSecond), filter.cpuMicrosPerEvent.toFixed(3)],
        ...(result.jar?.throughput.map((row) => ['jar actor', row.workload, row.store, number(row.eventsPerSecond), row.cpuMicrosPerEvent.toFixed(2)]) ?? []),
      ],
    ),
  );
  if (result.jar !== null && result.jar.latency.length > 0) {
    lines.push(
      '',
      table(
        ['steady load', 'store', 'events/s', 'p50 ms', 'p99 ms', 'max ms'],
        result.jar.latency.map((row) => ['event → commit', row.store, number(row.targetRate), row.p50Ms.toFixed(1), row.p99Ms.toFixed(1), row.maxMs.toFixed(1)]),
      ),
    );
  }
  if (result.jarError !== null) lines.push(`jar actor: failed: ${result.jarError.split('\n')[0] ?? ''}`);
  lines.push(...result.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

export function targetsTable(targets: readonly TargetLine[]): string {
  return table(
    ['measure', 'target', 'measured', 'met'],
    targets.map((line) => [line.measure, line.target, line.value, line.met === null ? 'not measured' : line.met ? 'met' : 'NOT MET']),
  );
}

export function resultsReport(results: BenchResults): string {
  const m = results.machine;
  const parts = [
    `jarsync bench, ${results.date}${results.preliminary ? ' (preliminary: quick run or shared machine)' : ''}`,
    `command: ${results.command}`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}; load average ${m.loadAverage[0]} at start, ${m.loadAverage[1]} at end`,
    `rounds: ${results.rounds}; took ${Math.round(results.seconds)} s`,
    `contenders: ${results.contenders.map((c) => (c.skipped === null ? c.name : `${c.name} (skipped: ${c.skipped})`)).join(', ')}`,
    '',
  ];
  for (const scenario of results.scenarios) {
    parts.push(scenario.kind === 'proxy' ? proxyScenarioTable(scenario) : cookiePathTable(scenario), '');
  }
  parts.push('targets', '', targetsTable(results.targets), '');
  return parts.join('\n');
}
