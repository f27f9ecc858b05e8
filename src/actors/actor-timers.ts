/**
 * The timers the jar actor uses (flush, expiry, close deadline, mailbox
 * slices), injectable for tests and for other schedulers.
 */
export interface ActorTimers {
  /** Calls `callback` once after `ms` milliseconds; the function returned cancels it. */
  readonly setTimeout: (callback: () => void, ms: number) => () => void;
  /** Calls `callback` on a later macrotask: the mailbox's next slice. */
  readonly setImmediate: (callback: () => void) => void;
}

/** Node's global timers, looked up at each call (so fake timers apply). */
export const NODE_TIMERS: ActorTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    return () => {
      clearTimeout(handle);
    };
  },
  setImmediate: (callback) => {
    setImmediate(callback);
  },
};
