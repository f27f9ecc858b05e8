/**
 * An incremental HTTP/1.1 response reader for the bench's own client: it is
 * fed whatever bytes arrive and reports each response as it completes. It
 * frames by Content-Length or chunked encoding (what the origin and every
 * proxy send back) and keeps nothing but the status: the client measures
 * timing, it does not use bodies.
 *
 *   feed(bytes) ──▶ head? ──Content-Length──▶ skip N bytes ──▶ onResponse(status)
 *                        └─chunked──▶ size line, data, CRLF … 0, trailers ──┘
 */
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

/** What #step returns instead of a byte count. */
const NEED_MORE = -1;
const FAILED = -2;

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailers';

export class ResponseReader {
  readonly #onResponse: (status: number) => void;
  #pending: Buffer = Buffer.alloc(0);
  #state: State = 'head';
  #remaining = 0;
  #status = 0;
  /** Why the stream could not be read, once it could not; nothing more is read after that. */
  error: string | null = null;

  constructor(onResponse: (status: number) => void) {
    this.#onResponse = onResponse;
  }

  /** True while no response is partly read: the connection may take a new request. */
  get idle(): boolean {
    return this.#state === 'head' && this.#pending.length === 0;
  }

  feed(chunk: Buffer): void {
    if (this.error !== null) return;
    let data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = Buffer.alloc(0);
    while (data.length > 0) {
      const used = this.#step(data);
      if (used === FAILED) return;
      if (used === NEED_MORE) {
        this.#pending = data;
        return;
      }
      data = data.subarray(used);
    }
  }

  /** Consumes from `data` and returns how many bytes it used, NEED_MORE, or FAILED. */
  #step(data: Buffer): number {
    switch (this.#state) {
      case 'head': {
        const end = data.indexOf(HEAD_END);
        if (end < 0) return data.length > 64 * 1024 ? this.#fail('response head over 64 KB') : NEED_MORE;
        if (!this.#readHead(data.toString('latin1', 0, end))) return FAILED;
        return end + HEAD_END.length;
      }
      case 'body': {
        const used = Math.min(this.#remaining, data.length);
        this.#remaining -= used;
        if (this.#remaining === 0) this.#complete();
        return used;
      }
      case 'chunk-size': {
        const end = data.indexOf(CRLF);
        if (end < 0) return NEED_MORE;
        const size = Number.parseInt(data.toString('latin1', 0, end).split(';', 1)[0] ?? '', 16);
        if (!Number.isFinite(size) || size < 0) return this.#fail('bad chunk size');
        if (size === 0) this.#state = 'trailers';
        else {
          this.#state = 'chunk-data';
          this.#remaining = size + CRLF.length;
        }
        return end + CRLF.length;
      }
      case 'chunk-data': {
        const used = Math.min(this.#remaining, data.length);
        this.#remaining -= used;
        if (this.#remaining === 0) this.#state = 'chunk-size';
        return used;
      }
      case 'trailers': {
        const end = data.indexOf(CRLF);
        if (end < 0) return NEED_MORE;
        // An empty line ends the trailers, and the response.
        if (end === 0) this.#complete();
        return end + CRLF.length;
      }
    }
  }

  /** Reads a response head and sets up for its body; false when it is not one. */
  #readHead(head: string): boolean {
    const status = Number.parseInt(head.slice(9, 12), 10);
    if (!head.startsWith('HTTP/1.') || !Number.isInteger(status)) {
      this.#fail(`not an HTTP/1.x response: ${JSON.stringify(head.slice(0, 40))}`);
      return false;
    }
    this.#status = status;
    let length: number | null = null;
    let chunked = false;
    for (const line of head.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name === 'content-length') length = Number.parseInt(line.slice(colon + 1), 10);
      else if (name === 'transfer-encoding' && /chunked/i.test(line.slice(colon + 1))) chunked = true;
    }
    // 1xx, 204 and 304 carry no body (RFC 9112 §6.3).
    if (status < 200 || status === 204 || status === 304) {
      if (status >= 200) this.#complete();
      return true;
    }
    if (chunked) {
      this.#state = 'chunk-size';
      return true;
    }
    if (length === null || !Number.isFinite(length)) {
      this.#fail('response without Content-Length or chunked framing');
      return false;
    }
    this.#remaining = length;
    if (length === 0) this.#complete();
    else this.#state = 'body';
    return true;
  }

  #complete(): void {
    this.#state = 'head';
    this.#onResponse(this.#status);
  }

  #fail(message: string): number {
    this.error = message;
    return FAILED;
  }
}
