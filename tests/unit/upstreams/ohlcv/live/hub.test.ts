// Subscription bookkeeping and the per-socket send backlog limit (1013).
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { LiveHub } from '../../../../../upstreams/ohlcv/live/hub.ts';

function fakeSocket(bufferedAmount = 0) {
  const sent: string[] = [];
  const socket = {
    OPEN: 1, readyState: 1, bufferedAmount, closed: null as null | [number, string],
    send: (data: string) => sent.push(data),
    close(code: number, reason: string) {
      this.closed = [code, reason];
      this.readyState = 3;
    },
  };
  return { socket, ws: socket as unknown as WebSocket, sent };
}

describe('LiveHub', () => {
  it('tracks subscriptions per pair and timeframe and forgets a removed socket', () => {
    const hub = new LiveHub();
    const a = fakeSocket(), b = fakeSocket();
    hub.subscribe(a.ws, 'kraken', 'BTC/USDC', '1m');
    hub.subscribe(a.ws, 'kraken', 'BTC/USDC', '1h');
    hub.subscribe(b.ws, 'kraken', 'BTC/USDC', '1h');
    expect(hub.timeframesFor('kraken', 'BTC/USDC').sort()).toEqual(['1h', '1m']);
    expect(hub.subscribers('kraken', 'BTC/USDC', '1h')).toHaveLength(2);
    hub.removeSocket(a.ws);
    expect(hub.timeframesFor('kraken', 'BTC/USDC')).toEqual(['1h']);
    expect(hub.unsubscribe(b.ws, 'kraken', 'BTC/USDC', '1h')).toBe(true);
    expect(hub.timeframesFor('kraken', 'BTC/USDC')).toEqual([]);
    expect(hub.subscriptionCount()).toBe(0);
  });

  it('refuses subscriptions past the per-socket cap but accepts repeats', () => {
    const hub = new LiveHub({ maxSubscriptionsPerSocket: 1 });
    const a = fakeSocket();
    expect(hub.subscribe(a.ws, 'kraken', 'BTC/USDC', '1m')).toBe(true);
    expect(hub.subscribe(a.ws, 'kraken', 'BTC/USDC', '1m')).toBe(true);
    expect(hub.subscribe(a.ws, 'kraken', 'BTC/USDC', '5m')).toBe(false);
  });

  it('closes a socket with 1013 instead of buffering past the limit', () => {
    const hub = new LiveHub({ maxBufferedBytes: 1000 });
    const slow = fakeSocket(5000), fast = fakeSocket(10);
    hub.subscribe(slow.ws, 'kraken', 'BTC/USDC', '1m');
    hub.send(slow.ws, { type: 'ohlcv_update' });
    hub.send(fast.ws, { type: 'ohlcv_update' });
    expect(slow.sent).toEqual([]);
    expect(slow.socket.closed?.[0]).toBe(1013);
    expect(hub.subscriptionCount()).toBe(0);
    expect(fast.sent).toHaveLength(1);
  });

  it('broadcasts one serialised message to every subscriber of a key, skipping slow sockets', () => {
    const hub = new LiveHub({ maxBufferedBytes: 1000 });
    const slow = fakeSocket(5000), fast = fakeSocket(), other = fakeSocket();
    hub.subscribe(slow.ws, 'kraken', 'BTC/USDC', '1m');
    hub.subscribe(fast.ws, 'kraken', 'BTC/USDC', '1m');
    hub.subscribe(other.ws, 'kraken', 'BTC/USDC', '5m');
    hub.broadcast('kraken', 'BTC/USDC', '1m', { type: 'ohlcv_update' });
    expect(fast.sent).toEqual(['{"type":"ohlcv_update"}']);
    expect(other.sent).toEqual([]);
    expect(slow.socket.closed?.[0]).toBe(1013);
    expect(hub.subscribers('kraken', 'BTC/USDC', '1m')).toHaveLength(1);
  });
});
