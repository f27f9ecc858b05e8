/**
 * The response side: one Set-Cookie line, applied as a browser would.
 *
 *   line ──parseSetCookie──▶ candidate ──judgeSetCookie (browser-policy)──▶ CookieWriter.write
 *        └─ not a pair: `parse` ───────────┴─ refused: its reason ─────────▶ CookieWriter.refuse
 *
 * The line replaces what the jar holds under its (domain, path, name); one
 * whose expiry has passed deletes that cookie; one identical to what is held
 * changes nothing.
 */
import type { RequestTarget } from '../store/request-target.ts';
import { judgeSetCookie } from './browser-policy.ts';
import type { ApplyResult, CookieWriter, Received } from './cookie-writer.ts';
import { parseSetCookie } from './parse-set-cookie.ts';

export function applySetCookie(writer: CookieWriter, target: RequestTarget, received: Received): ApplyResult {
  const candidate = parseSetCookie(received.header);
  if (candidate === undefined) {
    return writer.refuse({ reason: 'parse', detail: 'no name=value pair with a non-empty name before the first ";"' }, received);
  }
  const verdict = judgeSetCookie(candidate, target);
  if (!verdict.accept) return writer.refuse(verdict, received);
  return writer.write(candidate, verdict.domain, target, 'set-cookie', received);
}
