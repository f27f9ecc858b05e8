/**
 * (g), first half: events per second through `filterDomains` alone, the
 * authoritative domain filter every cookie event passes before the jar
 * actor. bench/cookie-path.ts measures the jar actor behind it; the two
 * together are the supervisor's share of the cookie path.
 *
 * The workload: 20 domain rules of every kind (whole domains, exact hosts
 * with a scheme, with a port, IP addresses) and events from 1,000 hosts, half
 * of them synced, fed synchronously through the operator.
 */
import { performance } from 'node:perf_hooks';
import { BehaviorSubject, Subject } from 'rxjs';
import { filterDomains, parseDomainRule } from '../../src/index.ts';
import type { RequestOrigin } from '../../src/index.ts';

export interface FilterDomainsResult {
  readonly events: number;
  readonly passed: number;
  readonly eventsPerSecond: number;
  /** CPU time of this process per event, in µs. */
  readonly cpuMicrosPerEvent: number;
}

const RULES = [
  'example.com', 'https://shop.example.net', 'http://legacy.example.org:8080', '127.0.0.1', 'api.example.io',
  'bench.test', 'cdn.example.com', 'https://login.example.edu', 'example.co.uk', 'https://pay.example.net:8443',
  'internal.example', 'docs.example.dev', 'https://auth.example.app', 'example.jp', 'm.example.de',
  'static.example.fr', 'https://example.ch', 'example.nl', 'eu.example.se', '10.0.0.1',
];

function workload(count: number): RequestOrigin[] {
  const events: RequestOrigin[] = [];
  for (let index = 0; index < count; index += 1) {
    const site = index % 1000;
    // Even sites are under a synced domain, odd ones are not.
    const host = site % 2 === 0 ? `www${site}.example.com` : `www${site}.unsynced.test`;
    events.push({ scheme: index % 3 === 0 ? 'http' : 'https', host, port: index % 3 === 0 ? 80 : 443 });
  }
  return events;
}

export function runFilterDomainsThroughput(count: number): FilterDomainsResult {
  const events = workload(count);
  const domains$ = new BehaviorSubject(RULES.map((rule) => parseDomainRule(rule)));
  const source = new Subject<RequestOrigin>();
  let passed = 0;
  const subscription = source.pipe(filterDomains(domains$)).subscribe(() => {
    passed += 1;
  });
  // A discarded pass first: the operator's code is compiled before the clock runs.
  for (const event of events.slice(0, Math.min(count, 50_000))) source.next(event);
  passed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const event of events) source.next(event);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  subscription.unsubscribe();
  return {
    events: count,
    passed,
    eventsPerSecond: Math.round(count / seconds),
    cpuMicrosPerEvent: (cpu.user + cpu.system) / count,
  };
}
