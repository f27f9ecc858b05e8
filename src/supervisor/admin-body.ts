/**
 * Reads an admin API request's JSON body, within a size limit. The limit keeps
 * a client from making the supervisor hold an arbitrary body in memory; every
 * body the API takes is a few dozen bytes.
 */
import type { IncomingMessage } from 'node:http';

/** The largest body the API reads: every real request is far below it. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * A body somewhat over the limit is still read (and thrown away) to its end
 * before the 413 goes out: a server that answers and closes while the client
 * is still sending makes the client's TCP stack see a reset, and the client
 * may never read the answer. Past this, the connection is given up on.
 */
const MAX_DISCARDED_BYTES = 1024 * 1024;

export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string; readonly readToEnd: boolean };

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_DISCARDED_BYTES) return tooLarge(limit, false);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_DISCARDED_BYTES) return tooLarge(limit, false);
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) return tooLarge(limit, true);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: false, status: 400, message: 'The request needs a JSON body.', readToEnd: true };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, status: 400, message: `The request body is not JSON: ${error instanceof Error ? error.message : String(error)}`, readToEnd: true };
  }
}

function tooLarge(limit: number, readToEnd: boolean): BodyResult {
  return { ok: false, status: 413, message: `The request body is larger than ${limit / 1024} KB.`, readToEnd };
}
