/**
 * The soak's origin: plain HTTP and HTTPS on loopback, answering every
 * `h<n>.<suffix>` name. Each response sets, changes or deletes the cookies its
 * request names (soak-cookies.ts), and the origin keeps the ledger: what it
 * sent last for every (domain, path, name), and how many lines of each kind.
 *
 *   GET /soak?c=<client>&ops=<key>.<value|->,… ──▶ 200, one Set-Cookie per op ──▶ ledger
 */
import http from 'node:http';
import https from 'node:https';
import { listenNodeOrigin, type NodeOrigin } from '../origin/node-origin.ts';
import { cookieKey, parseOps, setCookieLine } from './soak-cookies.ts';
import type { SoakScheme } from './soak-cookies.ts';

/** What the origin sent: the jar must end up holding `last`, and its counts must match these. */
export class SoakLedger {
  /** Per (domain, path, name): the value sent last, or null when the last line deleted it. */
  readonly last = new Map<string, string | null>();
  responses = 0;
  lines = 0;
  /** Lines that set a cookie not held (by this ledger), changed one, deleted one. */
  added = 0;
  updated = 0;
  deleted = 0;
  /** Requests it could not read (a bug in the soak itself). */
  malformed = 0;
}

export interface SoakOrigin extends NodeOrigin {
  readonly ledger: SoakLedger;
}

const BODY = 'jarsync soak origin\n';

export async function startSoakOrigin(suffix: string, tlsFiles: { readonly cert: string; readonly key: string }): Promise<SoakOrigin> {
  const ledger = new SoakLedger();
  const handler = (scheme: SoakScheme) => (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://origin');
    const parsed = url.pathname === '/soak' ? parseOps(url.searchParams) : null;
    if (parsed === null) {
      ledger.malformed += 1;
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad soak request\n');
      return;
    }
    const lines: string[] = [];
    for (const op of parsed.ops) {
      const key = cookieKey(parsed.client, op.key, suffix);
      const held = ledger.last.get(key.id) ?? null;
      if (op.value === null) {
        if (held !== null) ledger.deleted += 1;
      } else if (held === null) ledger.added += 1;
      else ledger.updated += 1;
      ledger.last.set(key.id, op.value);
      lines.push(setCookieLine(key, op.value, scheme));
    }
    ledger.responses += 1;
    ledger.lines += lines.length;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(BODY), 'set-cookie': lines });
    res.end(BODY);
  };
  const plain = http.createServer({ keepAliveTimeout: 120_000 }, handler('http'));
  const secure = https.createServer({ cert: tlsFiles.cert, key: tlsFiles.key, keepAliveTimeout: 120_000 }, handler('https'));
  return { ...(await listenNodeOrigin(plain, secure)), ledger };
}
