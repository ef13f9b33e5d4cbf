// In-process CacheStore for `npm start` on a bare machine (no REDIS_URL): the
// same semantics as the Redis implementation, proven by the shared contract suite.
import type { CacheStore, ChannelListener, StoreStatusListener } from './types.ts';

type Entry = { kind: 'hash'; value: Map<string, string> } | { kind: 'list'; value: string[] } | { kind: 'string'; value: string; expiresAt: number | null };

export class WrongTypeError extends Error {
  readonly code = 'WRONGTYPE';
  constructor() {
    super('WRONGTYPE Operation against a key holding the wrong kind of value');
  }
}

export class MemoryStore implements CacheStore {
  readonly kind = 'memory' as const;
  #data = new Map<string, Entry>();
  #channels = new Map<string, Set<ChannelListener>>();

  async hget(key: string, field: string) {
    return this.#hash(key)?.get(field) ?? null;
  }
  async hgetall(key: string) {
    return Object.fromEntries(this.#hash(key) ?? []);
  }
  async hset(key: string, field: string, value: string) {
    let hash = this.#hash(key);
    if (!hash) this.#data.set(key, { kind: 'hash', value: (hash = new Map()) });
    hash.set(field, value);
  }
  async lrange(key: string, start: number, stop: number) {
    const list = this.#list(key) ?? [];
    const [from, to] = resolveRange(list.length, start, stop);
    return list.slice(from, to + 1);
  }
  async rpush(key: string, ...values: string[]) {
    let list = this.#list(key);
    if (!list) this.#data.set(key, { kind: 'list', value: (list = []) });
    list.push(...values);
    return list.length;
  }
  async ltrim(key: string, start: number, stop: number) {
    const list = this.#list(key);
    if (!list) return;
    const [from, to] = resolveRange(list.length, start, stop);
    const kept = list.slice(from, to + 1);
    if (kept.length === 0) this.#data.delete(key);
    else this.#data.set(key, { kind: 'list', value: kept });
  }
  async llen(key: string) {
    return this.#list(key)?.length ?? 0;
  }
  async get(key: string) {
    const entry = this.#live(key);
    if (!entry) return null;
    if (entry.kind !== 'string') throw new WrongTypeError();
    return entry.value;
  }
  async set(key: string, value: string, ttlSeconds?: number) {
    this.#data.set(key, { kind: 'string', value, expiresAt: ttlSeconds ? Date.now() + ttlSeconds * 1000 : null });
  }
  async publish(channel: string, message: string) {
    const listeners = [...(this.#channels.get(channel) ?? [])];
    // Delivered asynchronously, like Redis pub/sub.
    queueMicrotask(() => listeners.forEach((listener) => listener(message)));
    return listeners.length;
  }
  async subscribe(channel: string, listener: ChannelListener) {
    let set = this.#channels.get(channel);
    if (!set) this.#channels.set(channel, (set = new Set()));
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.#channels.get(channel) === set) this.#channels.delete(channel);
    };
  }
  async ping() {
    return 0;
  }
  onStatus(_listener: StoreStatusListener) {
    return () => {}; // never goes down
  }
  async close() {
    this.#channels.clear();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry?.kind === 'string' && entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.#data.delete(key);
      return undefined;
    }
    return entry;
  }
  #hash(key: string) {
    const entry = this.#live(key);
    if (!entry) return undefined;
    if (entry.kind !== 'hash') throw new WrongTypeError();
    return entry.value;
  }
  #list(key: string) {
    const entry = this.#live(key);
    if (!entry) return undefined;
    if (entry.kind !== 'list') throw new WrongTypeError();
    return entry.value;
  }
}

/** Redis LRANGE/LTRIM index rules: negatives from the end, clamped, inclusive stop. */
function resolveRange(length: number, start: number, stop: number): [number, number] {
  const from = Math.max(start < 0 ? length + start : start, 0);
  const to = Math.min(stop < 0 ? length + stop : stop, length - 1);
  return [from, to];
}
