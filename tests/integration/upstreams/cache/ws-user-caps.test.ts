// Per-user WebSocket caps (issue 10 finding #9): one user opened 40 sockets × 500
// streams = 20 000 feeds. Sockets and subscriptions are now counted per user,
// across sockets, with a clear error frame and close code past the cap.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, startCacheHarness, type CacheHarness, type TestClient } from './harness.ts';

describe('cache WebSocket per-user caps', () => {
  let h: CacheHarness;
  beforeEach(async () => {
    h = await startCacheHarness({ settings: { maxSocketsPerUser: 3, maxSubscriptionsPerUser: 5, maxSubscriptionsPerSocket: 4 } });
  });
  afterEach(() => h.close());

  const stream = (client: TestClient, id: string) => client.request('stream_tickers', { exchange: 'kraken', symbols: [`S-${id}`] }, id);

  it('closes a user\'s socket past the cap with 1008 and says why; other users are unaffected; a freed slot can be reused', async () => {
    const open = [await h.connect('/ws', ALICE), await h.connect('/ws/tickers/a2', ALICE), await h.connect('/ws', ALICE)];
    const extra = await h.connect('/ws', ALICE);
    expect(await extra.next()).toMatchObject({ success: false, error_code: 'INVALID_OPERATION', error: 'Too many WebSocket connections: at most 3 per user' });
    expect(await extra.closed).toEqual({ code: 1008, reason: 'Too many WebSocket connections: at most 3 per user' });
    expect(h.cache.usageOf(ALICE.userId).sockets).toBe(3);

    const admin = await h.connect('/ws', ADMIN);
    expect(await admin.request('ping')).toMatchObject({ success: true });

    open[0]!.socket.close();
    await expect.poll(() => h.cache.usageOf(ALICE.userId).sockets).toBe(2);
    const again = await h.connect('/ws', ALICE);
    expect(await again.request('ping')).toMatchObject({ success: true });
  });

  it('counts subscriptions across a user\'s sockets, and frees them on unsubscribe and close', async () => {
    const first = await h.connect('/ws', ALICE);
    const second = await h.connect('/ws', ALICE);
    for (const id of ['a', 'b', 'c', 'd']) expect(await stream(first, id)).toMatchObject({ success: true });
    // The per-socket cap (4) still holds on its own.
    expect(await stream(first, 'e')).toMatchObject({ success: false, error: 'Subscription limit reached (4 per connection)' });
    expect(await stream(second, 'f')).toMatchObject({ success: true });
    expect(await stream(second, 'g')).toMatchObject({ success: false, error_code: 'INVALID_OPERATION', error: 'Subscription limit reached (5 per user, across all sockets)' });
    expect(h.cache.usageOf(ALICE.userId).subscriptions).toBe(5);

    // Another user has their own budget.
    const admin = await h.connect('/ws', ADMIN);
    expect(await stream(admin, 'x')).toMatchObject({ success: true });

    const keys = first.messages.filter((m) => m.success === true && typeof m.stream_key === 'string').map((m) => m.stream_key as string);
    expect(await first.request('unsubscribe', { stream_key: keys[0] })).toMatchObject({ success: true });
    expect(await stream(second, 'h')).toMatchObject({ success: true });

    first.socket.close();
    await expect.poll(() => h.cache.usageOf(ALICE.userId)).toEqual({ sockets: 1, subscriptions: 2 });
  });
});
