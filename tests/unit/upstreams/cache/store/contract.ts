// The CacheStore contract: every implementation (Redis, in-process) runs these
// same cases, so `npm start` without Redis behaves like production.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CacheStore } from '../../../../../upstreams/cache/store/types.ts';

export interface StoreFixture {
  store: CacheStore;
  /** A key namespace no other test uses. */
  prefix: string;
  cleanup(): Promise<void>;
}

export function runStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`${name} store contract`, () => {
    let fixture: StoreFixture;
    let store: CacheStore;
    let k: (key: string) => string;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      k = (key) => `${fixture.prefix}:${key}`;
    });
    afterEach(async () => fixture.cleanup());

    it('reads back hash fields, all fields, and null for a missing field', async () => {
      await store.hset(k('h'), 'a', '1');
      await store.hset(k('h'), 'b', '2');
      await store.hset(k('h'), 'a', '3');
      expect(await store.hget(k('h'), 'a')).toBe('3');
      expect(await store.hget(k('h'), 'missing')).toBeNull();
      expect(await store.hgetall(k('h'))).toEqual({ a: '3', b: '2' });
      expect(await store.hgetall(k('none'))).toEqual({});
    });

    it.each([
      [0, -1, ['a', 'b', 'c', 'd']],
      [-2, -1, ['c', 'd']],
      [1, 2, ['b', 'c']],
      [-100, 1, ['a', 'b']],
      [3, 100, ['d']],
      [5, 10, []],
    ])('ranges a list like Redis LRANGE %i..%i', async (start, stop, expected) => {
      expect(await store.rpush(k('l'), 'a', 'b', 'c', 'd')).toBe(4);
      expect(await store.lrange(k('l'), start, stop)).toEqual(expected);
    });

    it('trims a list, counts it, and forgets it when trimmed empty', async () => {
      await store.rpush(k('l'), '1', '2', '3', '4', '5');
      await store.ltrim(k('l'), -3, -1);
      expect(await store.lrange(k('l'), 0, -1)).toEqual(['3', '4', '5']);
      expect(await store.llen(k('l'))).toBe(3);
      await store.ltrim(k('l'), 10, 20);
      expect(await store.llen(k('l'))).toBe(0);
      expect(await store.llen(k('missing'))).toBe(0);
    });

    it('stores strings with and without expiry', async () => {
      await store.set(k('s'), 'v');
      expect(await store.get(k('s'))).toBe('v');
      expect(await store.get(k('missing'))).toBeNull();
      await store.set(k('ttl'), 'soon', 1);
      expect(await store.get(k('ttl'))).toBe('soon');
    });

    it('refuses to read a key as the wrong type', async () => {
      await store.set(k('s'), 'v');
      await expect(store.hget(k('s'), 'a')).rejects.toThrow(/WRONGTYPE/);
      await expect(store.llen(k('s'))).rejects.toThrow(/WRONGTYPE/);
    });

    it('delivers published messages to every subscriber until it unsubscribes', async () => {
      const first: string[] = [];
      const second: string[] = [];
      const offFirst = await store.subscribe(k('ch'), (m) => first.push(m));
      await store.subscribe(k('ch'), (m) => second.push(m));
      expect(await store.publish(k('ch'), 'hello')).toBeGreaterThanOrEqual(1);
      await expect.poll(() => [first, second]).toEqual([['hello'], ['hello']]);
      await offFirst();
      await store.publish(k('ch'), 'again');
      await expect.poll(() => second).toEqual(['hello', 'again']);
      expect(first).toEqual(['hello']);
    });

    it('answers ping with a latency', async () => {
      expect(await store.ping()).toBeGreaterThanOrEqual(0);
    });
  });
}
