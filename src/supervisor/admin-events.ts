/**
 * One client's server-sent event stream of the jar's changes (`GET /api/events`):
 *
 *   cookies$ ──▶ event: cookie    data: <CookieChange>   ─┐   (either completing ends the stream)
 *   refused$ ──▶ event: refused   data: <CookieRefusal>  ─┼─▶ res.write ─▶ client
 *   every 15 s ─▶ ": heartbeat" (a comment)               ─┘      │ returns false: the client reads slowly
 *                                                                 ▼
 *                                       DropOldestQueue ──drain──▶ event: dropped  data: {"dropped":n}, then the queue
 *
 * Frames go straight to the socket while it keeps up; once `res.write` says
 * its buffer is full, they wait in a bounded queue until `drain`, and what
 * does not fit is dropped (oldest first) and reported to the client, so that
 * it knows its view has a gap and can reload the jar (`GET /api/cookies`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { map, Subscription, type Observable } from 'rxjs';
import type { CookieChange, CookieRefusal } from '../actors/cookie-change.ts';
import { DropOldestQueue, type EventQueueLimits } from './admin-event-queue.ts';

/**
 * Often enough to keep idle connections open through proxies and to let a
 * client notice a dead server (the WHATWG SSE spec suggests a comment "every
 * 15 seconds or so" for this).
 */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** How long a client waits before reconnecting after the stream ends (the SSE `retry:` field). */
const RECONNECT_DELAY_MS = 2_000;

export interface EventSources {
  readonly cookies$: Observable<CookieChange>;
  readonly refused$: Observable<CookieRefusal>;
}

export interface EventStreamOptions extends EventQueueLimits {
  /** Time between heartbeat comments. Defaults to HEARTBEAT_INTERVAL_MS (15 s). */
  readonly heartbeatMs?: number;
}

export interface EventStream {
  /** Ends the stream from the server's side (the supervisor or the admin server is closing). */
  end(): void;
  /** Resolves once the stream is over, whoever ended it. */
  readonly closed: Promise<void>;
}

/** Sends the head and streams events to `res` until the client goes away, the sources complete or `end()` is called. */
export function serveEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  sources: EventSources,
  options: EventStreamOptions = {},
  /** Frames sent first (admin-recent-events.ts), before anything live. */
  replay: readonly string[] = [],
): EventStream {
  const queue = new DropOldestQueue(options);
  let backedUp = false;

  const write = (frame: string): void => {
    if (backedUp) queue.push(frame);
    else backedUp = !res.write(frame);
  };

  const flush = (): void => {
    backedUp = false;
    const dropped = queue.takeDropped();
    if (dropped > 0 && !res.write(eventFrame('dropped', { dropped }))) {
      backedUp = true;
      return;
    }
    for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) {
      if (!res.write(frame)) {
        backedUp = true;
        return;
      }
    }
  };

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Reverse proxies (nginx) would otherwise buffer the stream.
    'x-accel-buffering': 'no',
    // A stream's connection is never reused: once it ends, it closes, and the server can close without waiting for it.
    connection: 'close',
  });
  // The comment makes the head go out at once, so the client knows it is subscribed.
  res.write(`: jarsync events\nretry: ${RECONNECT_DELAY_MS}\n\n`);
  for (const frame of replay) write(frame);
  res.on('drain', flush);

  const heartbeat = setInterval(() => {
    // A client with frames waiting is known to be there; a heartbeat would only queue behind them.
    if (!backedUp) backedUp = !res.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  // Either source ending means the supervisor is closing: the stream ends with
  // it rather than going on with half of what it promised.
  const end = (): void => {
    subscription.unsubscribe();
    res.end();
  };
  const subscription = new Subscription();
  for (const frames$ of [
    sources.cookies$.pipe(map((change) => eventFrame('cookie', change))),
    sources.refused$.pipe(map((refusal) => eventFrame('refused', refusal))),
  ]) {
    subscription.add(frames$.subscribe({ next: write, error: end, complete: end }));
  }

  req.once('error', () => res.destroy());
  const closed = new Promise<void>((resolve) => {
    const cleanUp = (): void => {
      clearInterval(heartbeat);
      subscription.unsubscribe();
      resolve();
    };
    // 'close' comes both when the client goes away and after the server ends the response.
    if (res.destroyed) cleanUp();
    else res.once('close', cleanUp);
  });

  return { end, closed };
}

/** One SSE event. JSON.stringify escapes CR and LF, so the data is always one `data:` line. */
export function eventFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
