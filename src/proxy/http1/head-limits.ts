/**
 * How much head the codec reads before it refuses. Every limit bounds memory
 * and CPU spent on bytes that may never form a message (RFC 9112 §2.3: "A
 * server that receives a request header field line, field value, or set of
 * fields larger than it wishes to process MUST respond with an appropriate 4xx
 * (Client Error) status code").
 */
export interface HeadLimits {
  /**
   * Longest start line (request line or status line), CRLF excluded. A longer
   * request line is answered 414 (RFC 9112 §3: "A server that receives a
   * request-target longer than any URI it wishes to parse MUST respond with a
   * 414 (URI Too Long) status code"). Defaults to 8,192 bytes.
   */
  readonly maxStartLineBytes: number;
  /**
   * Largest head: start line, field lines and the empty line that ends them,
   * with any empty lines before a request line. Defaults to 16,384 bytes.
   */
  readonly maxHeadBytes: number;
  /** Most field lines in one head. Defaults to 256 for a request, 512 for a response. */
  readonly maxFields: number;
}

/**
 * 8 KiB for the request line is Apache's LimitRequestLine (8,190) and nginx's
 * large_client_header_buffers line size (8k); 16 KiB for the head is Node's
 * default maxHeaderSize, the limit jarsync's node:http engine applied to both
 * directions, so clients and origins see no new refusals. 256 field lines is
 * well above what browsers send (under 30) and Apache's LimitRequestFields (100).
 */
export const REQUEST_HEAD_LIMITS: HeadLimits = Object.freeze({
  maxStartLineBytes: 8_192,
  maxHeadBytes: 16_384,
  maxFields: 256,
});

/** A response may carry many Set-Cookie lines: twice the request's field lines. */
export const RESPONSE_HEAD_LIMITS: HeadLimits = Object.freeze({
  maxStartLineBytes: 8_192,
  maxHeadBytes: 16_384,
  maxFields: 512,
});
