import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { compileDomains, type DomainMatcher } from '../domains/domain-matcher.ts';
import type { DomainRule } from '../domains/domain-rule.ts';

/** What filterDomains needs of a value: where the request it came from went. */
export interface RequestOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

/**
 * Lets a value through only if the host it came from is synced by the domain
 * list current at the moment the value arrives.
 *
 * <span class="informal">The authoritative domain filter: connection workers
 * may drop events early, but this operator decides.</span>
 *
 * Subscribes to `domains$` before the source, keeps the matcher compiled from
 * its latest list and tests every source value against it by `scheme`,
 * `host` and `port` (the request's, not a cookie's Domain attribute). A list
 * emitted by `domains$` applies to the very next source value, so removing a
 * domain stops its events still in flight.
 *
 * - Values that arrive before `domains$` has emitted are dropped: no list yet
 *   means nothing is synced. Give it a BehaviorSubject to start with a list.
 * - Completion of the source completes the output.
 * - Completion of `domains$` keeps its last list for as long as the source
 *   runs: a finished list is a list that no longer changes, not an empty one.
 *   (If `domains$` completes without ever emitting, every value is dropped.)
 * - An error from either errors the output, and unsubscribes the other.
 * - Unsubscribing from the output unsubscribes from both.
 *
 * ```
 * domains$: --a----------b------------     a = [example.com]
 *                                          b = [example.com, https://shop.test]
 * source:   x---y---z-------z---w---|      x, y = example.com; z = https://shop.test:443;
 *                                          w = https://example.com.evil.net:443
 *           filterDomains(domains$)
 * result:   ----y-----------z-------|
 * ```
 *
 * ## Example
 *
 * Feed the jar only with cookies of the synced domains, whatever the list is now
 *
 * ```ts
 * import { BehaviorSubject } from 'rxjs';
 * import { DomainList } from '../domains/domain-list.ts';
 * import { filterDomains } from './filter-domains.ts';
 *
 * const list = new DomainList(['example.com']);
 * const domains$ = new BehaviorSubject(list.list());
 * events$.pipe(filterDomains(domains$)).subscribe((event) => jar.apply(event));
 *
 * list.add('https://shop.test');
 * domains$.next(list.list()); // takes effect for the next event
 * ```
 *
 * @param domains$ The domain list over time, as parseDomainRule builds its entries.
 * @return A function that returns an Observable of the source values whose
 * origin the latest domain list syncs.
 */
export function filterDomains<T extends RequestOrigin>(domains$: Observable<readonly DomainRule[]>): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let matcher: DomainMatcher | undefined;
      // domains$ first: a BehaviorSubject's current list then covers the
      // source's first value even when both emit synchronously.
      subscriber.add(
        domains$.subscribe({
          next: (rules) => {
            try {
              matcher = compileDomains(rules);
            } catch (error) {
              // A list that cannot be compiled must not leave the old one in force.
              subscriber.error(error);
            }
          },
          error: (error: unknown) => {
            subscriber.error(error);
          },
        }),
      );
      if (subscriber.closed) return;
      subscriber.add(
        source.subscribe({
          next: (value) => {
            if (matcher?.match(value.scheme, value.host, value.port) !== undefined) subscriber.next(value);
          },
          error: (error: unknown) => {
            subscriber.error(error);
          },
          complete: () => {
            subscriber.complete();
          },
        }),
      );
    });
}
