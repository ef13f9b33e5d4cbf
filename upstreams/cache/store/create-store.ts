// Picks the store: Redis when REDIS_URL is set, the in-process store otherwise.
import { MemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import type { CacheStore } from './types.ts';

export function createStore(redisUrl: string | undefined): CacheStore {
  return redisUrl ? new RedisStore({ url: redisUrl }) : new MemoryStore();
}
