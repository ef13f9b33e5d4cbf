// A bounded LRU map whose entries also expire at an absolute time. Backs the
// verified-token, API-key and assertion caches: bounded so a flood of distinct
// credentials cannot grow memory, expiring so nothing is trusted past its life.

export interface BoundedCacheOptions {
  /** Most entries kept; the least recently used is dropped beyond it. */
  max: number;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  /** Epoch ms after which the entry is gone. */
  expiresAt: number;
  /** When it was last moved to the most recently used end. */
  usedAt: number;
}

/**
 * A hit moves its entry to the most recently used end at most this often: a hot
 * credential hit thousands of times a second costs one Map delete+insert a
 * second, not one per request, and the order stays right to within this.
 */
const TOUCH_EVERY_MS = 1000;

export class BoundedCache<K, V> {
  #entries = new Map<K, Entry<V>>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: BoundedCacheOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError('BoundedCache max must be a positive integer');
    this.#max = options.max;
    this.#now = options.now ?? Date.now;
  }

  get(key: K): V | undefined {
    return this.getEntry(key)?.value;
  }

  /** Like get(), with the entry's expiry (one lookup where a caller needs both). */
  getEntry(key: K): Readonly<Entry<V>> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    if (now - entry.usedAt >= TOUCH_EVERY_MS) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      entry.usedAt = now;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** The live entry's value and expiry, without marking it used (refresh-ahead decisions). */
  peek(key: K): Readonly<Entry<V>> | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > this.#now() ? entry : undefined;
  }

  /** Stores value until expiresAt (epoch ms); a time already past stores nothing. */
  set(key: K, value: V, expiresAt: number): void {
    this.#entries.delete(key);
    const now = this.#now();
    if (expiresAt <= now) return;
    this.#entries.set(key, { value, expiresAt, usedAt: now });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Drops every entry whose value matches (revocation events: rare, so a scan of ≤ max entries). */
  deleteWhere(predicate: (value: V) => boolean): number {
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (predicate(entry.value)) {
        this.#entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
