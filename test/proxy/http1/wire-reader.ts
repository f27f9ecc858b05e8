/**
 * The codec driven as the proxy will drive it, as data in and data out: bytes
 * arrive in pieces; each piece is appended to what is pending; a head is
 * parsed (resuming where the last attempt stopped), framed, and its body
 * followed by a scanner until it ends; what is left is the next message.
 * Tests compare the outcome of one byte stream cut in different places.
 */
import type { BodyFraming } from '../../../src/proxy/http1/body-framing.ts';
import type { BodyScanner } from '../../../src/proxy/http1/body-scanner.ts';
import { bodyScannerFor } from '../../../src/proxy/http1/body-scanner-for.ts';
import type { HeadLimits } from '../../../src/proxy/http1/head-limits.ts';
import { REQUEST_HEAD_LIMITS, RESPONSE_HEAD_LIMITS } from '../../../src/proxy/http1/head-limits.ts';
import { parseRequestHead } from '../../../src/proxy/http1/parse-request-head.ts';
import { parseResponseHead } from '../../../src/proxy/http1/parse-response-head.ts';
import { requestFraming } from '../../../src/proxy/http1/request-framing.ts';
import { responseFraming } from '../../../src/proxy/http1/response-framing.ts';
import type { WireProblem } from '../../../src/proxy/http1/wire-problem.ts';

export const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Lines joined by CRLF, with the empty line that ends a head. */
export const head = (...lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;

export interface ReadMessage {
  /** `METHOD target` or `status reason`. */
  readonly start: string;
  readonly framing: BodyFraming['kind'];
  /** The body bytes exactly as they arrived (chunk framing included), latin1. */
  readonly body: string;
  readonly complete: boolean;
}

export interface ReadOutcome {
  readonly messages: readonly ReadMessage[];
  /** The problem that stopped reading, if any. */
  readonly problem: WireProblem | null;
  /** Bytes left over that form no complete message yet (or follow a tunnel), latin1. */
  readonly rest: string;
}

export interface ReadOptions {
  /** Read responses (to GET) instead of requests. */
  readonly responses?: boolean;
  readonly limits?: HeadLimits;
  /** The connection closes after the last piece. */
  readonly closed?: boolean;
}

/** Reads the messages in `pieces`, fed one after the other. */
export function readMessages(pieces: readonly Buffer[], options: ReadOptions = {}): ReadOutcome {
  const messages: ReadMessage[] = [];
  const responses = options.responses === true;
  const limits = options.limits ?? (responses ? RESPONSE_HEAD_LIMITS : REQUEST_HEAD_LIMITS);
  let pending = Buffer.alloc(0);
  let resumeAt = 0;
  let scanner: BodyScanner | null = null;
  let current: { start: string; framing: BodyFraming['kind']; body: Buffer[] } | null = null;
  let tunnel = false;
  const finishMessage = (complete: boolean): void => {
    if (current === null) return;
    messages.push({ start: current.start, framing: current.framing, body: Buffer.concat(current.body).toString('latin1'), complete });
    current = null;
    scanner = null;
  };
  const fail = (problem: WireProblem): ReadOutcome => {
    finishMessage(false);
    return { messages, problem, rest: pending.toString('latin1') };
  };

  for (const piece of pieces) {
    pending = Buffer.concat([pending, piece]);
    for (;;) {
      if (tunnel) break;
      if (scanner === null || current === null) {
        if (pending.length === 0) break;
        let start: string;
        let framing: BodyFraming;
        let length: number;
        if (responses) {
          const parsed = parseResponseHead(pending, limits, resumeAt);
          if (parsed.kind === 'incomplete') {
            resumeAt = parsed.resumeAt;
            break;
          }
          if (parsed.kind === 'error') return fail(parsed.problem);
          const framed = responseFraming(parsed, { method: 'GET', upgrade: true });
          if (framed.kind === 'error') return fail(framed.problem);
          start = `${parsed.status} ${parsed.reason}`;
          framing = framed;
          length = parsed.length;
        } else {
          const parsed = parseRequestHead(pending, limits, resumeAt);
          if (parsed.kind === 'incomplete') {
            resumeAt = parsed.resumeAt;
            break;
          }
          if (parsed.kind === 'error') return fail(parsed.problem);
          const framed = requestFraming(parsed);
          if (framed.kind === 'error') return fail(framed.problem);
          start = `${parsed.method} ${parsed.target}`;
          framing = framed;
          length = parsed.length;
        }
        pending = pending.subarray(length);
        resumeAt = 0;
        current = { start, framing: framing.kind, body: [] };
        scanner = bodyScannerFor(framing, responses ? 'response' : 'request');
        if (framing.kind === 'tunnel') tunnel = true;
      }
      const scanned = scanner.feed(pending);
      if (scanned.kind === 'error') return fail(scanned.problem);
      current.body.push(pending.subarray(0, scanned.consumed));
      pending = pending.subarray(scanned.consumed);
      if (scanned.kind === 'more') break;
      finishMessage(true);
    }
  }
  if (options.closed === true && scanner !== null) {
    const end = scanner.finish();
    if (end.kind === 'error') return fail(end.problem);
    finishMessage(true);
  }
  finishMessage(false);
  return { messages, problem: null, rest: pending.toString('latin1') };
}

/** `bytes` cut at the given offsets. */
export function cutAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

/** Every position at which to cut `bytes` once: all of them when short, an even sample of `most` when long. */
export function cutPositions(length: number, most = 400): number[] {
  if (length - 1 <= most) return Array.from({ length: length + 1 }, (_, i) => i);
  const step = length / most;
  return Array.from({ length: most + 1 }, (_, i) => Math.round(i * step));
}
