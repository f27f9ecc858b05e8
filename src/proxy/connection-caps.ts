/**
 * The connection caps: a total across every worker, and a per-client cap
 * within each worker.
 *
 *   counts (SharedArrayBuffer, one Int32 per worker)
 *     worker k: add 1 to slot k ─▶ sum of all slots > max? ─▶ take it back, refuse
 *
 * Each worker writes only its own slot, so when a worker dies the pool can
 * zero that slot and lose nobody else's count. Reserving before checking makes
 * two workers racing for the last place both see the other's reservation:
 * at worst both refuse, never both admit, so the total never exceeds the cap.
 *
 * The per-client count is each worker's own: the kernel spreads one client's
 * connections over the workers (reusePort), so a client may hold up to
 * `perClient × workers` in all. That bounds what one address can take without
 * a shared table of addresses across threads.
 */
export type CapRefusal = 'total' | 'client';

export interface ConnectionCapsOptions {
  /** The shared counts, or null to count nothing across workers (no total cap). */
  readonly counts: Int32Array | null;
  /** This worker's slot in `counts`. */
  readonly slot: number;
  readonly max: number;
  /** Most connections per client address on this worker; 0 for no such cap. */
  readonly perClient: number;
}

export class ConnectionCaps {
  readonly #counts: Int32Array | null;
  readonly #slot: number;
  readonly #max: number;
  readonly #perClient: number;
  readonly #byClient = new Map<string, number>();

  constructor(options: ConnectionCapsOptions) {
    this.#counts = options.counts !== null && options.slot < options.counts.length ? options.counts : null;
    this.#slot = options.slot;
    this.#max = options.max;
    this.#perClient = options.perClient;
  }

  /** Connections open across every worker, as far as the shared counts say. */
  get total(): number {
    const counts = this.#counts;
    if (counts === null) return 0;
    let sum = 0;
    for (let index = 0; index < counts.length; index += 1) sum += Atomics.load(counts, index);
    return sum;
  }

  /** Takes a place for a connection from `address`; null when admitted, else the cap it is over. */
  acquire(address: string): CapRefusal | null {
    const held = this.#byClient.get(address) ?? 0;
    if (this.#perClient > 0 && held >= this.#perClient) return 'client';
    const counts = this.#counts;
    if (counts !== null) {
      Atomics.add(counts, this.#slot, 1);
      if (this.total > this.#max) {
        Atomics.sub(counts, this.#slot, 1);
        return 'total';
      }
    }
    this.#byClient.set(address, held + 1);
    return null;
  }

  /** Gives back the place of an admitted connection that closed. */
  release(address: string): void {
    const held = this.#byClient.get(address);
    if (held === undefined) return;
    if (held <= 1) this.#byClient.delete(address);
    else this.#byClient.set(address, held - 1);
    if (this.#counts !== null) Atomics.sub(this.#counts, this.#slot, 1);
  }
}
