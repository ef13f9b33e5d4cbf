// StreamHub shares one source among all subscribers of a key (one read per key
// per interval, however many subscribers), replays the latest value to late
// joiners, and reports an outage once per outage.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../../../upstreams/cache/store/memory-store.ts';
import type { StoreStatusListener } from '../../../../../upstreams/cache/store/types.ts';
import { StreamHub } from '../../../../../upstreams/cache/streams/hub.ts';
import { channelSource, pollSource } from '../../../../../upstreams/cache/streams/sources.ts';

class FlakyStore extends MemoryStore {
  listeners = new Set<StoreStatusListener>();
  override onStatus(listener: StoreStatusListener) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  emit(status: 'up' | 'down') {
    for (const listener of this.listeners) listener(status, new Error('gone'));
  }
}

const collector = () => {
  const data: unknown[] = [];
  const errors: Error[] = [];
  return { data, errors, onData: (p: unknown) => data.push(p), onError: (e: Error) => errors.push(e) };
};

describe('StreamHub', () => {
  let hub: StreamHub | undefined;
  afterEach(() => hub?.close());

  it('runs one poll source for many subscribers of the same key', async () => {
    const store = new MemoryStore();
    hub = new StreamHub(store);
    let reads = 0;
    let value = 'v1';
    const source = () =>
      pollSource('key', 10, async () => {
        reads++;
        return { fingerprint: value, payload: value };
      });
    const subscribers = Array.from({ length: 50 }, collector);
    const detachers = await Promise.all(subscribers.map((s) => hub!.attach(source(), s)));
    expect(hub.size).toBe(1);
    await expect.poll(() => reads).toBeGreaterThanOrEqual(5);
    value = 'v2';
    await expect.poll(() => subscribers.every((s) => s.data.length === 2)).toBe(true);
    const readsSoFar = reads;
    // 50 subscribers over ~N intervals cost ~N reads, not 50×N.
    expect(readsSoFar).toBeLessThan(200);
    expect(subscribers[0]!.data).toEqual(['v1', 'v2']); // pushed on change only
    detachers.forEach((detach) => detach());
    expect(hub.size).toBe(0);
    const stopped = reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toBeLessThanOrEqual(stopped + 1);
  });

  it('replays the latest polled value to a subscriber that joins later', async () => {
    hub = new StreamHub(new MemoryStore());
    const source = () => pollSource('late', 1000, async () => ({ fingerprint: 'x', payload: 'x' }));
    const early = collector();
    await hub.attach(source(), early);
    await expect.poll(() => early.data).toEqual(['x']);
    const late = collector();
    await hub.attach(source(), late);
    expect(late.data).toEqual(['x']);
  });

  it('transforms a channel message once for all subscribers', async () => {
    const store = new MemoryStore();
    hub = new StreamHub(store);
    let transforms = 0;
    const source = () => channelSource(store, 'ch', (m) => (transforms++, m.toUpperCase()));
    const a = collector();
    const b = collector();
    await hub.attach(source(), a);
    await hub.attach(source(), b);
    await store.publish('ch', 'tick');
    await expect.poll(() => [a.data, b.data]).toEqual([['TICK'], ['TICK']]);
    expect(transforms).toBe(1);
  });

  it('tells each subscriber about an outage once, and again after recovery', async () => {
    const store = new FlakyStore();
    hub = new StreamHub(store);
    const s = collector();
    await hub.attach(channelSource(store, 'ch', (m) => m), s);
    store.emit('down');
    store.emit('down');
    expect(s.errors).toHaveLength(1);
    store.emit('up');
    await store.publish('ch', 'after');
    await expect.poll(() => s.data).toEqual(['after']);
    store.emit('down');
    expect(s.errors).toHaveLength(2);
  });

  it('reports a failing poll read once until a read succeeds', async () => {
    hub = new StreamHub(new MemoryStore());
    let fail = true;
    const s = collector();
    await hub.attach(
      pollSource('failing', 5, async () => {
        if (fail) throw new Error('down');
        return { fingerprint: 'ok', payload: 'ok' };
      }),
      s,
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(s.errors).toHaveLength(1);
    fail = false;
    await expect.poll(() => s.data).toEqual(['ok']);
  });
});
