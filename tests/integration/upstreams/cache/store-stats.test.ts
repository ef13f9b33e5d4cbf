// RedisStore.stats() (cache_store_up, cache_store_command_errors_total): a Redis
// that cannot be reached makes the store down and counts each failed command.
// Port 1 on loopback refuses at once; no server is started or needed.
import { afterEach, describe, expect, it } from 'vitest';
import { RedisStore } from '../../../../upstreams/cache/store/redis-store.ts';

let store: RedisStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe('RedisStore.stats', () => {
  it('is down and counts the commands that failed while Redis refuses connections', async () => {
    store = new RedisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 2000 });
    const down = new Promise((resolve) => store!.onStatus((status) => status === 'down' && resolve(status)));
    await expect(store.get('a')).rejects.toThrow();
    await expect(store.hget('a', 'b')).rejects.toThrow();
    await down;
    expect(store.stats()).toEqual({ up: false, commandErrors: 2 });
  });
});
