/**
 * Expiry times with the item each belongs to, nearest first: a binary
 * min-heap, so the jar actor needs one timer (aimed at the top) however many
 * cookies expire.
 *
 *   push(t, item) ──▶ [ (t1,a) (t2,b) (t3,c) … ]  t1 ≤ t2, t1 ≤ t3, …  ──▶ peekTime() / peek() / pop()
 *
 * Entries are not removed when a cookie changes or goes: the owner skips the
 * ones that no longer match when they reach the top (`pruneTop`), and rebuilds
 * the heap when stale entries outnumber live ones. Times and items live in two
 * parallel arrays, so a push or pop allocates nothing.
 */
export class ExpiryQueue<T> {
  readonly #times: number[] = [];
  readonly #items: T[] = [];

  get size(): number {
    return this.#times.length;
  }

  /** The nearest time; Infinity when the queue is empty. */
  peekTime(): number {
    return this.#times[0] ?? Infinity;
  }

  /** The item of the nearest time. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(time: number, item: T): void {
    const times = this.#times;
    const items = this.#items;
    let index = times.length;
    times.push(time);
    items.push(item);
    // Sift up: move parents down until the new entry's place is found.
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent] ?? -Infinity;
      if (parentTime <= time) break;
      times[index] = parentTime;
      items[index] = items[parent] as T;
      index = parent;
    }
    times[index] = time;
    items[index] = item;
  }

  /** Removes the nearest entry. */
  pop(): void {
    const times = this.#times;
    const items = this.#items;
    const lastTime = times.pop();
    const lastItem = items.pop();
    if (lastTime === undefined || lastItem === undefined || times.length === 0) return;
    // Sift the last entry down from the top.
    const size = times.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      let childTime = times[left] ?? Infinity;
      const rightTime = right < size ? (times[right] ?? Infinity) : Infinity;
      if (rightTime < childTime) {
        child = right;
        childTime = rightTime;
      }
      if (childTime >= lastTime) break;
      times[index] = childTime;
      items[index] = items[child] as T;
      index = child;
    }
    times[index] = lastTime;
    items[index] = lastItem;
  }

  /** Pops entries from the top while `stale` says they no longer count. */
  pruneTop(stale: (time: number, item: T) => boolean): void {
    for (let item = this.peek(); item !== undefined && stale(this.peekTime(), item); item = this.peek()) this.pop();
  }

  clear(): void {
    this.#times.length = 0;
    this.#items.length = 0;
  }
}
