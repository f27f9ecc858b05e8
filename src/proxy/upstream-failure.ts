import type { ErrorCode } from '../errors.ts';
import { TargetRefused } from './target-guard.ts';

/** How a failure towards the upstream server is answered to the client. */
export interface UpstreamFailure {
  /** 403 and 508 when the target is this proxy's admin API or the proxy itself (target-guard.ts). */
  readonly status: 403 | 502 | 504 | 508;
  readonly code: ErrorCode;
  /** One short line naming the cause, sent as the response body. */
  readonly text: string;
}

/** Thrown into a request's error path when our own timers fire; Node has no such error. */
export class UpstreamTimeout extends Error {
  readonly phase: 'connect' | 'response';

  constructor(phase: 'connect' | 'response', ms: number) {
    super(`upstream ${phase === 'connect' ? 'connect' : 'response'} timed out after ${ms} ms`);
    this.phase = phase;
  }
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
]);

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps a Node error raised while talking to `target` to the answer the client gets. */
export function classifyUpstreamFailure(error: unknown, target: string): UpstreamFailure {
  if (error instanceof UpstreamTimeout) {
    return { status: 504, code: 'JARSYNC_ERR_UPSTREAM_TIMEOUT', text: `${target}: ${error.message}` };
  }
  if (error instanceof TargetRefused) {
    return error.reason === 'loop'
      ? { status: 508, code: 'JARSYNC_ERR_LOOP', text: `jarsync: ${error.message}` }
      : { status: 403, code: 'JARSYNC_ERR_FORBIDDEN', text: `jarsync: ${error.message}` };
  }
  const code = errorCode(error);
  if (code.startsWith('HPE_')) {
    // Node's HTTP parser refused the origin's response (bad bytes, bad framing, a head over the limit).
    return { status: 502, code: 'JARSYNC_ERR_UPSTREAM_BAD_RESPONSE', text: `${target} sent a response that cannot be parsed (${code}): ${errorMessage(error)}` };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { status: 502, code: 'JARSYNC_ERR_UPSTREAM_REFUSED', text: `${target} refused the connection` };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return { status: 502, code: 'JARSYNC_ERR_UPSTREAM_RESET', text: `${target} closed the connection early (${code})` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return { status: 502, code: 'JARSYNC_ERR_UPSTREAM_DNS', text: `${target}: host name not found (${code})` };
    case 'ETIMEDOUT':
      return { status: 504, code: 'JARSYNC_ERR_UPSTREAM_TIMEOUT', text: `${target}: connection timed out` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { status: 502, code: 'JARSYNC_ERR_UPSTREAM_REFUSED', text: `${target} is unreachable (${code})` };
    default:
      break;
  }
  if (TLS_VERIFY_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return {
      status: 502,
      code: 'JARSYNC_ERR_UPSTREAM_TLS',
      text: `${target}: TLS failed (${code}): ${errorMessage(error)}`,
    };
  }
  if (errorMessage(error) === 'socket hang up') {
    return { status: 502, code: 'JARSYNC_ERR_UPSTREAM_RESET', text: `${target} closed the connection before answering` };
  }
  return { status: 502, code: 'JARSYNC_ERR_UPSTREAM', text: `${target}: ${code === '' ? '' : `${code} `}${errorMessage(error)}` };
}
