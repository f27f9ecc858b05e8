import { of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, test } from 'vitest';
import type { CookieEvent } from '../../src/cookie-event.ts';
import type { DomainRule } from '../../src/domains/domain-rule.ts';
import { parseDomainRule } from '../../src/domains/parse-domain.ts';
import { filterDomains } from '../../src/stream/filter-domains.ts';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toStrictEqual(expected);
  });
}

const rules = (...inputs: string[]): readonly DomainRule[] => inputs.map(parseDomainRule);

function event(scheme: 'http' | 'https', host: string, port: number, header = 'sid=1'): CookieEvent {
  return {
    source: 'response',
    scheme,
    host,
    port,
    url: `${scheme}://${host}:${port}/`,
    header,
    client: '127.0.0.1:50000',
    at: 0,
  };
}

/** Lists, by marble letter. */
const lists = {
  e: rules('example.com'),
  b: rules('example.com', 'https://shop.test'),
  s: rules('https://shop.test'),
  n: rules(),
};

/** Events, by marble letter. */
const events = {
  x: event('https', 'example.com', 443),
  w: event('http', 'www.example.com', 8080),
  s: event('https', 'shop.test', 443),
  h: event('http', 'shop.test', 80),
  // Set-Cookie with Domain=example.com from a foreign host: the request's host decides, not the attribute.
  f: event('https', 'example.com.evil.net', 443, 'sid=1; Domain=example.com'),
};

describe('filterDomains', () => {
  test('drops values that arrive before the first list', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   ----e-------', lists);
      const source = hot('    x-w-x-w-x--|', events);
      const expected = '      ----x-w-x--|';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events);
      expectSubscriptions(domains.subscriptions).toBe('^----------!');
      expectSubscriptions(source.subscriptions).toBe(' ^----------!');
    });
  });

  test('lets through only what the latest list syncs, from the very next value on', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const domains = hot('   e-----b-----s-----n----', lists);
      const source = hot('    -x-s-h-s-x-h-x-s-w-s-x-|', events);
      const expected = '      -x-----s-x-----s-------|';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events);
    });
  });

  test('matches by the host the value came from, not by a Domain attribute', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const domains = hot('   e----', lists);
      const source = hot('    -f-x|', events);
      const expected = '      ---x|';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events);
    });
  });

  test('uses a list a synchronous domains$ emits on subscription, and keeps it after domains$ completes', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('   x-s-w-|', events);
      const expected = '      x---w-|';
      expectObservable(source.pipe(filterDomains(of(lists.e)))).toBe(expected, events);
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  test('keeps the last list when domains$ completes', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   -e-b|--------', lists);
      const source = hot('    s-s-s-x-s-w-|', events);
      const expected = '      ----s-x-s-w-|';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events);
      expectSubscriptions(domains.subscriptions).toBe('^---!');
      expectSubscriptions(source.subscriptions).toBe(' ^-----------!');
    });
  });

  test('drops every value when domains$ completes without a list', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const domains = hot('   --|-----', lists);
      const source = hot('    x-x-x-x|', events);
      const expected = '      -------|';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events);
    });
  });

  test('an empty list drops everything', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const domains = hot('   n-------', lists);
      const source = hot('    -x-s-w-|', events);
      const expected = '      -------|';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events);
    });
  });

  test('completes with the source and unsubscribes domains$', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   e---b---s---', lists);
      const source = hot('    -x---|', events);
      const expected = '      -x---|';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events);
      expectSubscriptions(domains.subscriptions).toBe('^----!');
      expectSubscriptions(source.subscriptions).toBe(' ^----!');
    });
  });

  test('errors with the source and unsubscribes domains$', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   e-----------', lists);
      const source = hot('    -x-x-#', events, new Error('worker lost'));
      const expected = '      -x-x-#';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events, new Error('worker lost'));
      expectSubscriptions(domains.subscriptions).toBe('^----!');
      expectSubscriptions(source.subscriptions).toBe(' ^----!');
    });
  });

  test('errors with domains$ and unsubscribes the source', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   e---#', lists, new Error('list gone'));
      const source = hot('    -x-x-x-x-|', events);
      const expected = '      -x-x#', subscription = '^---!';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events, new Error('list gone'));
      expectSubscriptions(domains.subscriptions).toBe(subscription);
      expectSubscriptions(source.subscriptions).toBe(subscription);
    });
  });

  test('errors when domains$ errors before its first list', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   -#', lists, new Error('no list'));
      const source = hot('    x-x-|', events);
      const expected = '      -#';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events, new Error('no list'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  test('errors, rather than keep the old list, when a list cannot be compiled', () => {
    // Only untyped data can get here (the type forbids it); the cast stands for it.
    const broken = [null] as unknown as readonly DomainRule[];
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   e--z----', { ...lists, z: broken });
      const source = hot('    -x--x-|', events);
      const expected = '      -x-#';
      expectObservable(source.pipe(filterDomains(domains))).toBe(expected, events, expect.any(TypeError));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  test('unsubscribing from the output unsubscribes from both', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   e--------b---', lists);
      const source = hot('    -x-s-x-s-x-s-|', events);
      const unsubscribe = '   ^------!';
      const expected = '      -x---x--';
      expectObservable(source.pipe(filterDomains(domains)), unsubscribe).toBe(expected, events);
      expectSubscriptions(domains.subscriptions).toBe(unsubscribe);
      expectSubscriptions(source.subscriptions).toBe(unsubscribe);
    });
  });

  test('a late subscriber sees only lists emitted after it subscribed', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const domains = hot('   e-----b------', lists);
      const source = hot('    -x-x-s-x-s-x-|', events);
      const expected = '      -------x-s-x-|';
      expectObservable(source.pipe(filterDomains(domains)), '---^').toBe(expected, events);
      expectSubscriptions(domains.subscriptions).toBe('---^---------!');
      expectSubscriptions(source.subscriptions).toBe(' ---^---------!');
    });
  });

  test('two subscribers follow the same lists independently of when they joined', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const domains = hot('   e---b-------', lists);
      const source = hot('    -s-x-s-x-s-|', events);
      const filtered = source.pipe(filterDomains(domains));
      expectObservable(filtered).toBe('---x-s-x-s-|', events);
      expectObservable(filtered, '--^--------').toBe('-----s-x-s-|', events);
    });
  });
});
