// Bounded and shared: one store read per key per interval however many sockets
// stream it; a client that never reads is cut off with 1013 instead of growing
// memory; sockets that stop answering pings are reaped.
import { afterEach, describe, expect, it } from 'vitest';
import { RedisStore } from '../../../../upstreams/cache/store/redis-store.ts';
import type { CacheStore } from '../../../../upstreams/cache/store/types.ts';
import { ADMIN, ALICE, startCacheHarness, type CacheHarness } from './harness.ts';

/** Counts store calls by method and key. */
function countingStore(inner: CacheStore): { store: CacheStore; reads: (method: string, key: string) => number } {
  const counts = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const id = `${String(property)} ${String(args[0])}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { store, reads: (method, key) => counts.get(`${method} ${key}`) ?? 0 };
}

describe('cache streams under load and misbehaving clients', () => {
  let h: CacheHarness | undefined;
  afterEach(async () => h?.close());

  it('reads a polled key once per interval, shared by all subscribers', async () => {
    let counter: ReturnType<typeof countingStore> | undefined;
    const interval = 25;
    h = await startCacheHarness({
      settings: { pollIntervalMs: interval },
      store: (url) => (counter = countingStore(new RedisStore({ url }))).store,
    });
    const key = h.layout.orderStatus('5');
    await h.redis.hset(key, 'a', JSON.stringify({ status: 'open' }));
    const clients = await Promise.all(Array.from({ length: 20 }, () => h!.connect('/ws/orders/x', ADMIN)));
    const started = performance.now();
    await Promise.all(clients.map((client, i) => client.request('stream_order_queue', { exchange: 5 }, `s${i}`)));
    await Promise.all(clients.map((client) => client.next((m) => m.action === 'queue_update')));
    await h.redis.hset(key, 'b', JSON.stringify({ status: 'open' }));
    await Promise.all(clients.map((client) => client.next((m) => m.action === 'queue_update' && (m.result as { queue_length: number }).queue_length === 2)));
    const elapsedIntervals = (performance.now() - started) / interval;
    const reads = counter!.reads('hgetall', key);
    // One poller: at most one read per elapsed interval (+1 for the first read),
    // where 20 independent pollers would need 20 per interval.
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsedIntervals) + 1);
    expect(h.cache.hub.size).toBe(1);
  });

  it('closes a client that never reads with 1013 and keeps memory bounded', async () => {
    h = await startCacheHarness({ settings: { sendBufferBytes: 64 * 1024, stallTimeoutMs: 5000 } });
    const fields: string[] = [];
    // ~750 kB per get_all_tickers reply.
    for (let i = 0; i < 5000; i++) fields.push(`SYM${i}/USDT`, JSON.stringify({ price: i, volume: i, time: 1, bid: i, ask: i, last: i }));
    await h.redis.hset(h.layout.tickers('big'), ...fields);
    const client = await h.connect('/ws/tickers/slow', ALICE);
    // Stop reading: the kernel buffers fill, then the server's send buffer does.
    (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 64; i++) client.send({ action: 'get_all_tickers', request_id: `r${i}`, params: { exchange: 'big' } });
    await expect.poll(() => h!.overflows, { timeout: 20_000 }).toBe(1);
    (client.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await client.closed).code).toBe(1013);
    // The service is unharmed.
    const other = await h.connect('/ws', ALICE);
    expect(await other.request('ping')).toMatchObject({ success: true });
  });

  it('reaps a socket that stops answering pings, keeps one that answers', async () => {
    h = await startCacheHarness({ settings: { pingIntervalMs: 200 } });
    const dead = await h.connect('/ws', ALICE, { autoPong: false });
    const alive = await h.connect('/ws', ALICE);
    let pings = 0;
    alive.socket.on('ping', () => pings++);
    expect((await dead.closed).code).toBe(1006);
    await expect.poll(() => pings).toBeGreaterThanOrEqual(3);
    expect(alive.socket.readyState).toBe(alive.socket.OPEN);
  });

  it('refuses requests past the in-flight backlog instead of queueing without bound', async () => {
    h = await startCacheHarness();
    const client = await h.connect('/ws', ALICE);
    for (let i = 0; i < 500; i++) client.send({ action: 'ping', request_id: i });
    await expect.poll(() => client.messages.length, { timeout: 10_000 }).toBe(500);
    const refused = client.messages.filter((m) => m.error_code === 'INVALID_OPERATION');
    const answered = client.messages.filter((m) => m.success === true);
    expect(answered.length + refused.length).toBe(500);
    expect(answered.length).toBeGreaterThanOrEqual(64);
  });
});
