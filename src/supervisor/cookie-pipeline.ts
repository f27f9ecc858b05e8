/**
 * The cookie stream, from the workers' batches to the jar and back out:
 *
 *   EventBatch (every worker) ──▶ events$ ──filterDomains(domains$)──▶ EventBacklog ──▶ jar actor (tell)
 *                                                                       ▲  │ (full mailbox: kept, in order)
 *                                             jar's onRoom ──feed───────┘  └─ past highWater ─▶ SyncHoldFlag
 *                                            cookies$ ◀── jar's onChange                          (workers hold
 *                                            refused$ ◀── jar's onRefused                          synced requests)
 *
 * RxJS has no back-pressure, and the workers cannot be slowed event by event:
 * the jar's mailbox is the first bound, the backlog behind it the second, and
 * past its high-water mark the workers stop starting new synced requests (the
 * source of new events) until the jar has caught up to the low-water mark.
 * An event the full backlog cannot keep is lost: counted, and logged.
 */
import { BehaviorSubject, Subject } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { CookieChange, CookieRefusal } from '../actors/cookie-change.ts';
import type { CookieEvent } from '../cookie-event.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import { filterDomains } from '../stream/filter-domains.ts';
import type { BacklogTarget, EventBacklogStats } from './event-backlog.ts';
import { EventBacklog } from './event-backlog.ts';
import type { SyncHoldStats } from './sync-hold-flag.ts';
import { SyncHoldFlag } from './sync-hold-flag.ts';

/**
 * A hold is logged at most this often: one that comes and goes with every
 * burst is counted (`events.hold.times`), not written line after line.
 */
const HOLD_LOG_EVERY_MS = 10_000;

/** What the pipeline feeds: the jar actor's `tell` and `room`. */
export type JarInbox = BacklogTarget<CookieEvent>;

export interface CookiePipelineOptions {
  /** The domain list at start. */
  readonly domains: readonly DomainRule[];
  /** Events kept while the jar's mailbox is full. */
  readonly backlogCapacity: number;
  /** Backlog size at which synced traffic is held. */
  readonly holdHighWater: number;
  /** Backlog size at or under which it goes on again. */
  readonly holdLowWater: number;
  /** Where the hold and lost events are reported. Defaults to nowhere (the counts still show them). */
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** A monotonic clock in ms, for the time spent held. Defaults to `performance.now`. */
  readonly now?: () => number;
}

export interface PipelineCounts extends EventBacklogStats {
  /** Cookie events received from the workers. */
  readonly received: number;
  /** Of those, passed by the domain filter towards the jar. */
  readonly synced: number;
  /** The hold on synced traffic: whether on now, how often, how long in all. */
  readonly hold: SyncHoldStats & { readonly highWater: number; readonly lowWater: number };
}

export class CookiePipeline {
  readonly #events$ = new Subject<CookieEvent>();
  readonly #domains$: BehaviorSubject<readonly DomainRule[]>;
  readonly #cookies$ = new Subject<CookieChange>();
  readonly #refused$ = new Subject<CookieRefusal>();
  readonly #flag: SyncHoldFlag;
  readonly #backlog: EventBacklog<CookieEvent>;
  readonly #log: (level: 'info' | 'warn' | 'error', message: string) => void;
  #target: JarInbox | null = null;
  #subscription: Subscription | null = null;
  #received = 0;
  #synced = 0;
  /** Lost since the backlog last fell to its low-water mark: one line when it starts, one when it ends. */
  #lostInRun = 0;
  /** When a hold was last logged, and the holds since: a hold that flaps is one line per HOLD_LOG_EVERY_MS. */
  #holdLoggedAt = Number.NEGATIVE_INFINITY;
  #holdsUnlogged = 0;
  #holdLogged = false;
  readonly #now: () => number;

  constructor(options: CookiePipelineOptions) {
    this.#domains$ = new BehaviorSubject(options.domains);
    this.#now = options.now ?? (() => performance.now());
    this.#flag = new SyncHoldFlag(this.#now);
    this.#log = options.log ?? (() => undefined);
    this.#backlog = new EventBacklog<CookieEvent>({
      capacity: options.backlogCapacity,
      highWater: options.holdHighWater,
      lowWater: options.holdLowWater,
      onHold: (held) => {
        this.#onHold(held);
      },
      onLost: () => {
        this.#onLost();
      },
    });
  }

  /** The flag the workers watch (ProxySettings.syncHold). */
  get holdBuffer(): SharedArrayBuffer {
    return this.#flag.buffer;
  }

  get domains$(): Observable<readonly DomainRule[]> {
    return this.#domains$.asObservable();
  }

  get cookies$(): Observable<CookieChange> {
    return this.#cookies$.asObservable();
  }

  get refused$(): Observable<CookieRefusal> {
    return this.#refused$.asObservable();
  }

  get counts(): PipelineCounts {
    const { highWater, lowWater } = this.#backlog;
    return { received: this.#received, synced: this.#synced, ...this.#backlog.stats(), hold: { ...this.#flag.stats(), highWater, lowWater } };
  }

  /** Starts feeding `target` with the events the current domain list syncs. */
  connect(target: JarInbox): void {
    this.#target = target;
    this.#subscription = this.#events$.pipe(filterDomains<CookieEvent>(this.#domains$)).subscribe((event) => {
      this.#synced += 1;
      this.#backlog.offer(event, target);
    });
  }

  push(events: readonly CookieEvent[]): void {
    for (const event of events) {
      this.#received += 1;
      this.#events$.next(event);
    }
  }

  setDomains(domains: readonly DomainRule[]): void {
    this.#domains$.next(domains);
  }

  /** The jar actor's onRoom: the backlog goes on into the room made. */
  readonly roomMade = (): void => {
    if (this.#target !== null && this.#backlog.size > 0) this.#backlog.feed(this.#target);
  };

  /** Resolves once the backlog has gone into the jar, or after `timeoutMs`; false if events were still waiting. */
  settled(timeoutMs: number): Promise<boolean> {
    return this.#backlog.emptied(timeoutMs);
  }

  /** The jar actor's onChange. */
  readonly changed = (change: CookieChange): void => {
    this.#cookies$.next(change);
  };

  /** The jar actor's onRefused. */
  readonly refusedCookie = (refusal: CookieRefusal): void => {
    this.#refused$.next(refusal);
  };

  /** Stops feeding the jar; subscribers of cookies$ and refused$ see completion. */
  complete(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
    this.#flag.lower();
    this.#events$.complete();
    this.#domains$.complete();
    this.#cookies$.complete();
    this.#refused$.complete();
  }

  #onHold(held: boolean): void {
    const { size } = this.#backlog;
    if (held) {
      this.#flag.raise();
      this.#holdsUnlogged += 1;
      this.#holdLogged = this.#now() - this.#holdLoggedAt >= HOLD_LOG_EVERY_MS;
      if (this.#holdLogged) {
        const others = this.#holdsUnlogged > 1 ? ` (${this.#holdsUnlogged - 1} shorter holds since the last report)` : '';
        this.#log('warn', `the jar is behind (${size} cookie events waiting): new requests to synced origins are held until it catches up${others}`);
        this.#holdLoggedAt = this.#now();
        this.#holdsUnlogged = 0;
      }
      return;
    }
    this.#flag.lower();
    if (this.#holdLogged) this.#log('info', `the jar has caught up (${size} cookie events waiting): synced requests go on`);
    if (this.#lostInRun > 0) {
      this.#log('error', `${this.#lostInRun} cookie event(s) were lost while the jar's backlog was full (events.lost on /api/status)`);
      this.#lostInRun = 0;
    }
  }

  #onLost(): void {
    this.#lostInRun += 1;
    if (this.#lostInRun === 1) {
      this.#log('error', `the jar's backlog is full (${this.#backlog.capacity} cookie events): events are being lost until it catches up`);
    }
  }
}
