/**
 * The HTTP/1.1 wire codec, measured alone: no sockets, one thread, the CPU a
 * proxied exchange spends reading and writing heads and finding body ends.
 *
 *   request bytes ──parseRequestHead──▶ requestFraming ──▶ writeRequestHead ──▶ upstream bytes
 *   response bytes ─parseResponseHead─▶ responseFraming ─▶ writeResponseHead ─▶ client bytes
 *   body bytes ──ChunkedScanner.feed──▶ where the body ends
 *
 * Messages are modelled on the bench's traffic: autocannon's absolute-form GET,
 * a browser's GET with cookies, and nginx's response with two Set-Cookie fields
 * (bench/origin/nginx-config.ts). Each scenario runs in batches of a fixed
 * number of operations (about `batchMs` each) and reports the median batch in
 * nanoseconds of this thread's CPU time per operation: CPU time holds on a
 * machine others are using, where wall time does not.
 *
 * Run: `npx node bench/http1-codec.ts` (about 20 s), `--quick` (about 4 s),
 * `--only=name,…` for some scenarios (to profile one with `node --cpu-prof`).
 * Prints a table, then the results as JSON.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ChunkedScanner } from '../src/proxy/http1/chunked-scanner.ts';
import type { RequestHead } from '../src/proxy/http1/parse-request-head.ts';
import { parseRequestHead } from '../src/proxy/http1/parse-request-head.ts';
import type { ResponseHead } from '../src/proxy/http1/parse-response-head.ts';
import { parseResponseHead } from '../src/proxy/http1/parse-response-head.ts';
import { requestTargetOf } from '../src/proxy/http1/request-target.ts';
import { parseAbsoluteTarget } from '../src/proxy/target.ts';
import { requestFraming } from '../src/proxy/http1/request-framing.ts';
import { responseFraming } from '../src/proxy/http1/response-framing.ts';
import { writeRequestHead } from '../src/proxy/http1/write-request-head.ts';
import { writeResponseHead } from '../src/proxy/http1/write-response-head.ts';

export interface CodecBenchOptions {
  /** Milliseconds per batch. Defaults to 200 (40 with `quick`). */
  readonly batchMs?: number;
  /** Batches per scenario; the median is reported. Defaults to 7 (3 with `quick`). */
  readonly batches?: number;
  /** Only these scenarios. Defaults to all. */
  readonly only?: readonly string[];
}

export interface CodecScenarioResult {
  readonly name: string;
  readonly nsPerOp: number;
  /** Smallest and largest batch, ns per operation. */
  readonly minNs: number;
  readonly maxNs: number;
  /** Bytes one operation reads, for throughput. */
  readonly bytes: number;
  readonly mbPerSecond: number;
}

export interface CodecBenchResults {
  readonly node: string;
  readonly loadAverage: readonly [number, number];
  readonly scenarios: readonly CodecScenarioResult[];
}

const crlf = (lines: readonly string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');

/** What autocannon sends through the proxy in scenario (a). */
const AUTOCANNON_GET = crlf(['GET http://a.bench.test:8080/ HTTP/1.1', 'host: a.bench.test:8080']);

/** A browser's navigation through the proxy: 14 fields, a Cookie, ~800 bytes. */
const BROWSER_GET = crlf([
  'GET http://www.bench.test/account/settings?tab=privacy&lang=en HTTP/1.1',
  'Host: www.bench.test',
  'Proxy-Connection: keep-alive',
  'Upgrade-Insecure-Requests: 1',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
  'Sec-Fetch-Site: same-origin',
  'Sec-Fetch-Mode: navigate',
  'Sec-Fetch-User: ?1',
  'Sec-Fetch-Dest: document',
  'Referer: http://www.bench.test/account',
  'Accept-Encoding: gzip, deflate, br, zstd',
  'Accept-Language: en-GB,en;q=0.9,de;q=0.8',
  'Cookie: sid=6f1c2a9e0b7d4e3fa1c5d8e2b4f7a9c0; theme=dark; consent=1; _ga=GA1.2.1234567890.1700000000',
]);

/** A POST with a chunked body, head only. */
const CHUNKED_POST = crlf(['POST /api/upload HTTP/1.1', 'Host: api.bench.test', 'Content-Type: application/json', 'Transfer-Encoding: chunked']);

/** nginx's answer in the bench: two Set-Cookie fields (bench/origin/nginx-config.ts). */
const NGINX_RESPONSE = crlf([
  'HTTP/1.1 200 OK',
  'Server: nginx/1.26.3',
  'Date: Sat, 01 Mar 2025 12:00:00 GMT',
  'Content-Type: text/plain',
  'Content-Length: 21',
  'Connection: keep-alive',
  'Set-Cookie: sid=8d7f2b1c9e4a6f3d0c5b8a7e1f2d3c4b; Domain=bench.test; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax',
  'Set-Cookie: theme=dark; Path=/',
]);

function chunkedBody(chunkBytes: number, chunks: number): Buffer {
  const data = 'x'.repeat(chunkBytes);
  const one = `${chunkBytes.toString(16)}\r\n${data}\r\n`;
  return Buffer.from(`${one.repeat(chunks)}0\r\n\r\n`, 'latin1');
}

const BODY_16K = chunkedBody(1_024, 16);
const BODY_TINY = chunkedBody(8, 128);

function parsedRequest(bytes: Buffer): RequestHead {
  const head = parseRequestHead(bytes);
  if (head.kind !== 'request') throw new Error(`bench request does not parse: ${head.kind}`);
  return head;
}

function parsedResponse(bytes: Buffer): ResponseHead {
  const head = parseResponseHead(bytes);
  if (head.kind !== 'response') throw new Error(`bench response does not parse: ${head.kind}`);
  return head;
}

/** The proxy's work on one request head: parse, frame, route, write. */
function requestPath(bytes: Buffer): number {
  const head = parseRequestHead(bytes);
  if (head.kind !== 'request') return -1;
  const framing = requestFraming(head);
  const target = requestTargetOf(head.form, head.target, null);
  if (framing.kind === 'error' || target === null) return -1;
  return writeRequestHead(head, framing, { path: target.path, host: 'www.bench.test', connection: 'keep-alive' }).length;
}

/** The proxy's work on one response head: parse, frame, write; Set-Cookie values in hand. */
function responsePath(bytes: Buffer): number {
  const head = parseResponseHead(bytes);
  if (head.kind !== 'response') return -1;
  const framing = responseFraming(head, { method: 'GET', upgrade: false });
  if (framing.kind === 'error') return -1;
  return writeResponseHead(head, framing, { connection: 'keep-alive' }).length + head.setCookies.length;
}

/** A head that arrives in four reads, parsed after each one (resuming). */
function resumedParse(bytes: Buffer): number {
  const step = Math.ceil(bytes.length / 4);
  let resumeAt = 0;
  for (let end = step; ; end += step) {
    const result = parseRequestHead(bytes.subarray(0, Math.min(end, bytes.length)), undefined, resumeAt);
    if (result.kind !== 'incomplete') return result.kind === 'request' ? result.length : -1;
    resumeAt = result.resumeAt;
  }
}

function scanChunked(bytes: Buffer): number {
  const result = new ChunkedScanner('request').feed(bytes);
  return result.kind === 'done' ? result.consumed : -1;
}

interface Scenario {
  readonly name: string;
  readonly bytes: number;
  readonly run: () => number;
}

function scenarios(): Scenario[] {
  const browser = parsedRequest(BROWSER_GET);
  const browserFraming = requestFraming(browser);
  if (browserFraming.kind === 'error') throw new Error('bench request does not frame');
  const nginx = parsedResponse(NGINX_RESPONSE);
  const nginxFraming = responseFraming(nginx, { method: 'GET', upgrade: false });
  if (nginxFraming.kind === 'error') throw new Error('bench response does not frame');
  return [
    { name: 'parse-request/autocannon', bytes: AUTOCANNON_GET.length, run: () => (parseRequestHead(AUTOCANNON_GET).kind === 'request' ? 1 : 0) },
    { name: 'parse-request/browser', bytes: BROWSER_GET.length, run: () => (parseRequestHead(BROWSER_GET).kind === 'request' ? 1 : 0) },
    { name: 'parse-request/chunked-post', bytes: CHUNKED_POST.length, run: () => (parseRequestHead(CHUNKED_POST).kind === 'request' ? 1 : 0) },
    { name: 'parse-request/browser-in-4-reads', bytes: BROWSER_GET.length, run: () => resumedParse(BROWSER_GET) },
    { name: 'route/target.ts parseAbsoluteTarget', bytes: 0, run: () => parseAbsoluteTarget(browser.target)?.port ?? -1 },
    { name: 'route/requestTargetOf', bytes: 0, run: () => requestTargetOf(browser.form, browser.target, null)?.port ?? -1 },
    { name: 'frame-request/browser', bytes: 0, run: () => (requestFraming(browser).kind === 'none' ? 1 : 0) },
    {
      name: 'write-request/browser',
      bytes: 0,
      run: () => writeRequestHead(browser, browserFraming, { path: '/account/settings?tab=privacy&lang=en', host: 'www.bench.test', connection: 'keep-alive' }).length,
    },
    { name: 'request-path/autocannon', bytes: AUTOCANNON_GET.length, run: () => requestPath(AUTOCANNON_GET) },
    { name: 'request-path/browser', bytes: BROWSER_GET.length, run: () => requestPath(BROWSER_GET) },
    { name: 'parse-response/nginx', bytes: NGINX_RESPONSE.length, run: () => (parseResponseHead(NGINX_RESPONSE).kind === 'response' ? 1 : 0) },
    { name: 'write-response/nginx', bytes: 0, run: () => writeResponseHead(nginx, nginxFraming, { connection: 'keep-alive' }).length },
    { name: 'response-path/nginx', bytes: NGINX_RESPONSE.length, run: () => responsePath(NGINX_RESPONSE) },
    { name: 'chunked/16-KiB-in-1-KiB-chunks', bytes: BODY_16K.length, run: () => scanChunked(BODY_16K) },
    { name: 'chunked/1-KiB-in-8-byte-chunks', bytes: BODY_TINY.length, run: () => scanChunked(BODY_TINY) },
  ];
}

/** Operations that take about `ms` milliseconds, from a short calibration. */
function calibrate(run: () => number, ms: number): number {
  let ops = 1_000;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) run();
    const elapsed = performance.now() - start;
    if (elapsed >= ms / 4) return Math.max(1, Math.round((ops * ms) / elapsed));
    ops *= 4;
  }
}

/** CPU time of this thread in nanoseconds: unlike wall time, it does not count the time other processes take the core. */
function threadCpuNs(): number {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) * 1_000;
}

function measure(scenario: Scenario, batchMs: number, batches: number): CodecScenarioResult {
  let sink = 0;
  const ops = calibrate(scenario.run, batchMs);
  const perOp: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = threadCpuNs();
    for (let i = 0; i < ops; i++) sink += scenario.run();
    perOp.push((threadCpuNs() - start) / ops);
  }
  if (sink < 0) throw new Error(`${scenario.name} failed`);
  perOp.sort((a, b) => a - b);
  const median = perOp[Math.floor(perOp.length / 2)] ?? NaN;
  return {
    name: scenario.name,
    nsPerOp: Math.round(median),
    minNs: Math.round(perOp[0] ?? NaN),
    maxNs: Math.round(perOp[perOp.length - 1] ?? NaN),
    bytes: scenario.bytes,
    mbPerSecond: scenario.bytes === 0 ? 0 : Math.round((scenario.bytes / median) * 1e3),
  };
}

export function runHttp1CodecBench(options: CodecBenchOptions = {}): CodecBenchResults {
  const loadBefore = loadavg()[0] ?? NaN;
  const chosen = scenarios().filter((scenario) => options.only === undefined || options.only.includes(scenario.name));
  const results = chosen.map((scenario) => measure(scenario, options.batchMs ?? 200, options.batches ?? 7));
  return { node: process.version, loadAverage: [Math.round(loadBefore * 100) / 100, Math.round((loadavg()[0] ?? NaN) * 100) / 100], scenarios: results };
}

function printTable(results: CodecBenchResults): void {
  const lines = [
    `node ${results.node}, load average ${results.loadAverage[0]} before and ${results.loadAverage[1]} after`,
    'scenario                          cpu ns/op   min–max ns   bytes   MB/s',
    ...results.scenarios.map(
      (row) =>
        `${row.name.padEnd(36)}${String(row.nsPerOp).padStart(7)}${`${row.minNs}–${row.maxNs}`.padStart(13)}${String(row.bytes).padStart(8)}${(row.mbPerSecond === 0 ? '' : String(row.mbPerSecond)).padStart(7)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

if (import.meta.main) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length).split(',');
  const results = runHttp1CodecBench({ ...(quick ? { batchMs: 40, batches: 3 } : {}), ...(only === undefined ? {} : { only }) });
  printTable(results);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
