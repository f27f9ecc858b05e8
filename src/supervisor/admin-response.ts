/**
 * How the admin API answers: JSON bodies, and errors as
 * `{ "error": "<message>", "code": "JARSYNC_ERR_…" }` with the HTTP status
 * their code stands for. Callers match on `code`; the status is for HTTP
 * clients that look no further.
 */
import type { ServerResponse } from 'node:http';
import { JarsyncError, isErrorCode, type ErrorCode } from '../errors.ts';

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: string;
  readonly code: ErrorCode;
}

/**
 * The status of each code the API can meet; any other code is a 500.
 * MAILBOX_FULL and NOT_RUNNING are 503: the request was fine, and may succeed
 * once the jar has caught up or the supervisor is running again.
 */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  JARSYNC_ERR_BAD_DOMAIN: 400,
  JARSYNC_ERR_BAD_URL: 400,
  JARSYNC_ERR_BAD_REQUEST: 400,
  JARSYNC_ERR_BAD_OPTION: 400,
  JARSYNC_ERR_UNKNOWN_OPTION: 400,
  JARSYNC_ERR_COOKIE_REFUSED: 400,
  JARSYNC_ERR_UNAUTHORIZED: 401,
  JARSYNC_ERR_FORBIDDEN: 403,
  JARSYNC_ERR_NOT_FOUND: 404,
  JARSYNC_ERR_CONFLICT: 409,
  JARSYNC_ERR_PORT_IN_USE: 409,
  JARSYNC_ERR_MAILBOX_FULL: 503,
  JARSYNC_ERR_NOT_RUNNING: 503,
};

/**
 * The code an error that is not a JarsyncError (a bug) is reported under. The
 * table has no code for internal errors; WORKER ("failed in another way") is
 * the nearest.
 */
const UNEXPECTED_ERROR_CODE: ErrorCode = 'JARSYNC_ERR_WORKER';

/** Every answer carries these: cookies are secrets, and no answer should be cached or sniffed. */
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** The status and body an error is answered with. */
export function errorAnswer(error: unknown): { readonly status: number; readonly body: ErrorBody } {
  if (error instanceof JarsyncError) return { status: statusForCode(error.code), body: { error: error.message, code: error.code } };
  const code = (error as { code?: unknown } | null)?.code;
  if (isErrorCode(code)) return { status: statusForCode(code), body: { error: messageOf(error), code } };
  return { status: 500, body: { error: messageOf(error), code: UNEXPECTED_ERROR_CODE } };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`, headers);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  send(res, status, contentType, text, {});
}

/** Any body (a page, a file, a redirect) with its own status and headers. */
export function sendBody(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array, headers: Readonly<Record<string, string>> = {}): void {
  send(res, status, contentType, body, headers);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204, COMMON_HEADERS).end();
}

export function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(res, status, { error: message, code } satisfies ErrorBody, headers);
}

/** Answers with an error; when the head has gone out already (an event stream), the connection is ended instead. */
export function sendFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = errorAnswer(error);
  sendJson(res, status, body);
}

function send(res: ServerResponse, status: number, contentType: string, text: string | Uint8Array, headers: Readonly<Record<string, string>>): void {
  res
    .writeHead(status, {
      ...COMMON_HEADERS,
      ...headers,
      'content-type': contentType,
      'content-length': String(typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength),
    })
    .end(text);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
