/**
 * The cookie stream, from the workers' batches to the jar and back out:
 *
 *   EventBatch (every worker) ──▶ events$ ──filterDomains(domains$)──▶ jar actor (tell)
 *                                                                       │ onChange / onRefused
 *                                            cookies$ ◀─────────────────┤
 *                                            refused$ ◀─────────────────┘
 *
 * RxJS has no back-pressure: the bound is the jar actor's mailbox, whose
 * refusals are counted here (`mailboxRefused`) and shown on /api/status.
 */
import { BehaviorSubject, Subject } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { CookieChange, CookieRefusal } from '../actors/cookie-change.ts';
import type { CookieEvent } from '../cookie-event.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import { filterDomains } from '../stream/filter-domains.ts';

/** What the pipeline feeds: the jar actor's `tell`. */
export interface JarInbox {
  tell(event: CookieEvent): boolean;
}

export class CookiePipeline {
  readonly #events$ = new Subject<CookieEvent>();
  readonly #domains$: BehaviorSubject<readonly DomainRule[]>;
  readonly #cookies$ = new Subject<CookieChange>();
  readonly #refused$ = new Subject<CookieRefusal>();
  #subscription: Subscription | null = null;
  #received = 0;
  #synced = 0;
  #mailboxRefused = 0;

  constructor(domains: readonly DomainRule[]) {
    this.#domains$ = new BehaviorSubject(domains);
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

  get counts(): { received: number; synced: number; mailboxRefused: number } {
    return { received: this.#received, synced: this.#synced, mailboxRefused: this.#mailboxRefused };
  }

  /** Starts feeding `target` with the events the current domain list syncs. */
  connect(target: JarInbox): void {
    this.#subscription = this.#events$.pipe(filterDomains<CookieEvent>(this.#domains$)).subscribe((event) => {
      this.#synced += 1;
      if (!target.tell(event)) this.#mailboxRefused += 1;
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
    this.#events$.complete();
    this.#domains$.complete();
    this.#cookies$.complete();
    this.#refused$.complete();
  }
}
