/**
 * Entries by key within a budget, least recently used first out: each entry costs `costOf(value)` of
 * the budget (its bytes, or 1 to count entries). A `get` hit makes its entry the most recent; an entry
 * over the whole budget is not kept. The store's in-memory copies (held embeddings, parsed uploads)
 * are built on it.
 */
export class RecentlyUsed<V> {
  readonly #budget: number;
  readonly #costOf: (value: V) => number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, V>();
  #cost = 0;

  constructor(budget: number, costOf: (value: V) => number) {
    this.#budget = budget;
    this.#costOf = costOf;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The summed cost of the entries kept. */
  get cost(): number {
    return this.#cost;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#cost -= this.#costOf(old);
      this.#entries.delete(key);
    }
    const cost = this.#costOf(value);
    if (cost > this.#budget) return;
    this.#entries.set(key, value);
    this.#cost += cost;
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#cost <= this.#budget) break;
      this.#entries.delete(oldestKey);
      this.#cost -= this.#costOf(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#cost = 0;
  }
}
