// The Redis store runs the shared CacheStore contract against real Redis, on this
// worker's own db number, in a key namespace of its own.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../../../../upstreams/cache/store/redis-store.ts';
import { workerRedis } from '../../../helpers/isolation.ts';
import { runStoreContract } from '../../../unit/upstreams/cache/store/contract.ts';

runStoreContract('Redis', async () => {
  const { url } = workerRedis();
  const prefix = `contract-${randomBytes(4).toString('hex')}`;
  const store = new RedisStore({ url });
  return {
    store,
    prefix,
    async cleanup() {
      await store.close();
      const admin = new Redis(url);
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length) await admin.del(...keys);
      admin.disconnect();
    },
  };
});
