/**
 * The dashboard's calls to the admin API. The session cookie goes with every
 * request by itself (same origin); a request that changes something also
 * carries the session's CSRF token, which the page got in its HTML, in the
 * header the server checks (SECURITY.md: the dashboard's session).
 */

/** The header the admin API reads the CSRF token from. */
const CSRF_HEADER = 'x-jarsync-csrf';

/** An error answer of the admin API: `{ "error", "code" }` and the status. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * @typedef {object} Api
 * @property {(path: string) => Promise<unknown>} get  GET, the JSON answer
 * @property {(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => Promise<unknown>} send  a change, the JSON answer (null for 204)
 */

/**
 * @param {string} csrfToken
 * @param {() => void} onSignedOut  called when an answer says the session is over (401)
 * @returns {Api}
 */
export function createApi(csrfToken, onSignedOut) {
  /**
   * @param {string} path
   * @param {RequestInit} init
   * @returns {Promise<unknown>}
   */
  async function call(path, init) {
    const response = await fetch(path, { ...init, credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 204) return null;
    const body = /** @type {unknown} */ (await response.json().catch(() => null));
    if (response.ok) return body;
    if (response.status === 401) onSignedOut();
    const error = /** @type {{ error?: unknown, code?: unknown } | null} */ (body);
    throw new ApiError(response.status, String(error?.code ?? 'UNKNOWN'), typeof error?.error === 'string' ? error.error : `The admin API answered ${response.status}.`);
  }
  return {
    get: (path) => call(path, { method: 'GET' }),
    send: (method, path, body) => {
      /** @type {Record<string, string>} */
      const headers = { [CSRF_HEADER]: csrfToken };
      if (body !== undefined) headers['content-type'] = 'application/json';
      return call(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    },
  };
}

/**
 * A message for people from whatever a call threw.
 * @param {unknown} error
 * @returns {string}
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
