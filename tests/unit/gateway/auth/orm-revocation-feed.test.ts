// The gateway's side of the orm's revocation stream: events applied as they come,
// malformed lines ignored, and after a gap a resubscription that forgets every
// cached credential once (an event may have been missed while it was down).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Invalidation } from '../../../../gateway/auth/invalidation.ts';
import { OrmRevocationFeed } from '../../../../gateway/auth/orm-revocation-feed.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startOrm() {
  const streams: ServerResponse[] = [];
  const seen: Array<string | undefined> = [];
  let waiting: Array<() => void> = [];
  const server = createServer((req, res) => {
    seen.push(req.headers['x-gateway-assertion'] as string | undefined);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': subscribed\n\n');
    streams.push(res);
    for (const wake of waiting.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streams,
    seen,
    /** Resolves once `count` subscriptions have arrived. */
    subscriptions: (count: number) => new Promise<void>((resolve) => {
      const check = () => (streams.length >= count ? resolve() : waiting.push(check));
      check();
    }),
  };
}

function startFeed(url: string) {
  const registry = new UpstreamRegistry();
  registry.ensure('orm_api', new URL(url), 'up');
  const events: Invalidation[][] = [];
  let resubscribed = 0;
  let onEvent: (() => void) | null = null;
  const feed = new OrmRevocationFeed({
    registry,
    upstream: 'orm_api',
    signer: { sign: async () => 'signed-assertion' },
    logger: { warn: () => {} },
    onEvent: (items) => {
      events.push(items);
      onEvent?.();
    },
    onResubscribed: () => void resubscribed++,
  });
  feed.start();
  cleanups.push(() => feed.close());
  return { events, resubscribed: () => resubscribed, nextEvent: () => new Promise<void>((resolve) => (onEvent = resolve)) };
}

describe('OrmRevocationFeed', () => {
  it('subscribes as the gateway and applies the events it is pushed, ignoring malformed lines', async () => {
    const orm = await startOrm();
    const feed = startFeed(orm.url);
    await orm.subscriptions(1);
    expect(orm.seen).toEqual(['signed-assertion']);
    const arrived = feed.nextEvent();
    orm.streams[0]!.write('data: nonsense\n\ndata: user=0\n\n: keepalive\n\ndata: api_key=12, user=5\n\n');
    await arrived;
    expect(feed.events).toEqual([[{ kind: 'api_key', id: 12 }, { kind: 'user', id: 5 }]]);
  });

  it('resubscribes after the stream ends and forgets every cached credential once', async () => {
    const orm = await startOrm();
    const feed = startFeed(orm.url);
    await orm.subscriptions(1);
    expect(feed.resubscribed()).toBe(0);
    orm.streams[0]!.end();
    await orm.subscriptions(2);
    const arrived = feed.nextEvent();
    orm.streams[1]!.write('data: api_key=3\n\n');
    await arrived;
    expect(feed.resubscribed()).toBe(1);
    expect(feed.events).toEqual([[{ kind: 'api_key', id: 3 }]]);
  });
});
