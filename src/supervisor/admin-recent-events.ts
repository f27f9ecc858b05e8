/**
 * The last changes and refusals the jar reported, kept as event-stream frames
 * from the moment the admin API starts, so that a dashboard opened (or
 * reloaded) later shows the recent history before the live events
 * (`GET /api/events?recent=N`).
 *
 *   cookies$, refused$ ──eventFrame──▶ [ oldest … newest ]  (capacity frames; the oldest goes first)
 *
 * A stream replays `last(n)` and subscribes in one synchronous step: the jar's
 * subjects emit synchronously, so no change can fall between the two.
 */
import { map, merge, type Subscription } from 'rxjs';
import { eventFrame, type EventSources } from './admin-events.ts';

export class RecentEvents {
  readonly #capacity: number;
  readonly #frames: string[] = [];
  readonly #subscription: Subscription;

  constructor(sources: EventSources, capacity: number) {
    this.#capacity = capacity;
    this.#subscription = merge(
      sources.cookies$.pipe(map((change) => eventFrame('cookie', change))),
      sources.refused$.pipe(map((refusal) => eventFrame('refused', refusal))),
    ).subscribe((frame) => {
      this.#frames.push(frame);
      if (this.#frames.length > this.#capacity) this.#frames.shift();
    });
  }

  /** The newest `count` frames, oldest first. */
  last(count: number): readonly string[] {
    return count <= 0 ? [] : this.#frames.slice(-count);
  }

  close(): void {
    this.#subscription.unsubscribe();
  }
}
