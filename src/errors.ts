/**
 * Every error jarsync raises carries a stable `code` from this table. Tests and
 * callers match on the code, never on the message. The README lists every code
 * (a test checks that it does).
 */
export const ERROR_CODES = {
  JARSYNC_ERR_BAD_OPTION: 'An option or flag has a value that cannot be used.',
  JARSYNC_ERR_UNKNOWN_OPTION: 'A flag or option name is not known.',
  JARSYNC_ERR_BAD_DOMAIN: 'A domain to sync is not a host name, an IP address or a scheme://host form.',
  JARSYNC_ERR_BAD_URL: 'A URL is not an absolute http: or https: URL.',
  JARSYNC_ERR_BAD_REQUEST: 'An admin API request has a malformed body or parameter.',
  JARSYNC_ERR_UNAUTHORIZED: 'An admin API request lacks the bearer token or carries a wrong one.',
  JARSYNC_ERR_NOT_FOUND: 'The thing asked for does not exist (admin API route, domain, cookie).',
  JARSYNC_ERR_CONFLICT: 'The request conflicts with the current state (the proxy port changed while the proxy is enabled).',
  JARSYNC_ERR_PORT_IN_USE: 'The proxy or admin port is taken by another process.',
  JARSYNC_ERR_NOT_RUNNING: 'The supervisor, the jar actor or another part is not started, or is closing.',
  JARSYNC_ERR_CA: 'The CA in the data dir cannot be read, parsed or created.',
  JARSYNC_ERR_MINT: 'A leaf certificate could not be minted.',
  JARSYNC_ERR_STORE: 'The jar database cannot be opened, read or written.',
  JARSYNC_ERR_WORKER: 'A worker thread failed or exited unexpectedly.',
  JARSYNC_ERR_MAILBOX_FULL: 'The jar actor’s mailbox is at capacity; the message was refused.',
  JARSYNC_ERR_UPSTREAM_REFUSED: 'The upstream server refused the connection (502).',
  JARSYNC_ERR_UPSTREAM_RESET: 'The upstream server reset or closed the connection early (502).',
  JARSYNC_ERR_UPSTREAM_DNS: 'The upstream host name could not be resolved (502).',
  JARSYNC_ERR_UPSTREAM_TLS: 'The upstream TLS certificate failed verification or the handshake failed (502).',
  JARSYNC_ERR_UPSTREAM_TIMEOUT: 'The upstream server did not connect or answer in time (504).',
  JARSYNC_ERR_UPSTREAM: 'The upstream server failed in another way (502).',
  JARSYNC_ERR_BAD_CLIENT_REQUEST: 'A client sent a request the proxy cannot forward (400).',
  JARSYNC_ERR_UPSTREAM_BAD_RESPONSE: 'The upstream server sent a response the proxy cannot parse, or a head over 256 KiB (502).',
  JARSYNC_ERR_HEADERS_TOO_LARGE: 'A client’s request line and header fields are over the size limit (431).',
  JARSYNC_ERR_CLIENT_TIMEOUT: 'A client did not send its request head in time, or stalled mid-request (408).',
  JARSYNC_ERR_TOO_MANY_CONNECTIONS: 'The proxy holds as many connections as allowed, in all or from this client (503).',
  JARSYNC_ERR_PROXY_AUTH: 'The request lacks valid proxy credentials (407).',
  JARSYNC_ERR_FORBIDDEN: 'A request refused for where it comes from or goes to: the admin API asked through the proxy, or asked by a web page (foreign Host, Origin or Sec-Fetch-Site) (403).',
  JARSYNC_ERR_LOOP: 'The request is aimed at the proxy itself (508).',
  JARSYNC_ERR_BUSY: 'The jar is behind: a request to a synced origin waited for it to catch up longer than the upstream response timeout (503).',
  JARSYNC_ERR_WAIT_TIMEOUT: 'No cookie matching a wait arrived within its timeout.',
  JARSYNC_ERR_COOKIE_REFUSED: 'The jar refused a cookie given to it through the API, as a browser would (the reason is in the message) (400).',
  JARSYNC_ERR_CDP: 'The browser attached over the DevTools protocol cannot be reached, or refused a command.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The only error class jarsync throws. `code` is stable; `message` is for people. */
export class JarsyncError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JarsyncError';
    this.code = code;
  }
}

/** How an error crosses a thread boundary: `postMessage` keeps neither the class nor `code`. */
export interface SerializedError {
  readonly code: ErrorCode;
  readonly message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof JarsyncError) return { code: error.code, message: error.message };
  if (isCodedError(error)) return { code: error.code, message: error.message };
  return { code: 'JARSYNC_ERR_WORKER', message: error instanceof Error ? error.message : String(error) };
}

export function deserializeError(error: SerializedError): JarsyncError {
  return new JarsyncError(error.code, error.message);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

function isCodedError(error: unknown): error is { code: ErrorCode; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    isErrorCode((error as { code?: unknown }).code) &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
