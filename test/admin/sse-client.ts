/**
 * A small server-sent events client for tests: node:http, the stream parsed
 * as the WHATWG spec describes it (fields up to a blank line; `:` starts a
 * comment), every event kept in order.
 */
import http, { type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export interface SseClient {
  readonly response: IncomingMessage;
  /** Every event received so far, in order. */
  readonly events: readonly SseEvent[];
  /** Every comment line received so far, without the leading `:`. */
  readonly comments: readonly string[];
  /** Resolves with the first event (already received or still to come) that `predicate` accepts after index `from`. */
  waitFor(predicate: (event: SseEvent) => boolean, options?: { readonly timeoutMs?: number; readonly from?: number }): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Readonly<Record<string, string>>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (response) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice('event: '.length);
            else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
          }
          if (data.length > 0) events.push({ event, data: data.join('\n') });
        }
        for (const wake of waiters) wake();
      });
      const ended = new Promise<void>((resolveEnd) => {
        response.on('close', () => {
          resolveEnd();
        });
      });
      resolve({
        response,
        events,
        comments,
        ended,
        waitFor: (predicate, options = {}) =>
          new Promise((resolveEvent, rejectEvent) => {
            const from = options.from ?? 0;
            const check = (): void => {
              const found = events.slice(from).find(predicate);
              if (found !== undefined) {
                waiters.delete(check);
                clearTimeout(timer);
                resolveEvent(found);
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rejectEvent(new Error(`no matching event within ${options.timeoutMs ?? 5000} ms; got ${JSON.stringify(events.map((e) => e.event))}`));
            }, options.timeoutMs ?? 5000);
            waiters.add(check);
            check();
          }),
        close: () => {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
  });
}
