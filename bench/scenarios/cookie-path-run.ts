/**
 * (g) The cookie path alone, without sockets: filterDomains (measured here)
 * and the jar actor in memory and committed to SQLite, with event-to-commit
 * latency at a steady 10k events/s (bench/cookie-path.ts, run as it is in a
 * child process of its own, so its heap and event loop are its own).
 */
import path from 'node:path';
import type { CookiePathResults } from '../cookie-path.ts';
import { startChild } from '../process/child.ts';
import type { CookiePathScenarioResult } from '../report/results.ts';
import { runFilterDomainsThroughput } from './filter-domains-throughput.ts';
import type { ScenarioContext } from './scenario-context.ts';

const COOKIE_PATH = path.join(import.meta.dirname, '..', 'cookie-path.ts');

async function runJarActor(context: ScenarioContext): Promise<CookiePathResults> {
  const quick = context.scale.cookiePathQuick;
  const child = await startChild('cookie-path', {
    command: process.execPath,
    args: [COOKIE_PATH, ...(quick ? ['--quick'] : [])],
    readyLine: null,
  });
  const limitMs = quick ? 90_000 : 600_000;
  const timer = setTimeout(() => void child.stop(2_000), limitMs);
  const code = await child.exited;
  clearTimeout(timer);
  const last = child.lines().filter((line) => line.startsWith('{')).at(-1);
  if (code !== 0 || last === undefined) throw new Error(`bench/cookie-path.ts exited with ${code}:\n${child.output().slice(-2_000)}`);
  return JSON.parse(last) as CookiePathResults;
}

export async function runCookiePathScenario(context: ScenarioContext): Promise<CookiePathScenarioResult> {
  context.log('(g) the cookie path alone: filterDomains, then the jar actor (bench/cookie-path.ts)');
  const filterDomains = runFilterDomainsThroughput(context.scale.filterEvents);
  context.log(`  filterDomains: ${filterDomains.eventsPerSecond} events/s, ${filterDomains.cpuMicrosPerEvent.toFixed(3)} µs CPU/event`);
  let jar: CookiePathResults | null = null;
  let jarError: string | null = null;
  try {
    jar = await runJarActor(context);
    for (const row of jar.throughput) context.log(`  jar ${row.workload} ${row.store}: ${row.eventsPerSecond} events/s`);
  } catch (error) {
    jarError = (error as Error).message;
    context.log(`  jar actor: failed: ${jarError.split('\n')[0] ?? ''}`);
  }
  return {
    kind: 'cookie-path',
    id: 'g',
    title: 'the cookie path alone: filterDomains and the jar actor, in memory and SQLite',
    jar,
    jarError,
    filterDomains,
    notes: [
      'filterDomains is measured on its own; the jar actor by bench/cookie-path.ts (its workloads are described there). The path\'s rate is bounded by the slower of the two.',
    ],
  };
}
