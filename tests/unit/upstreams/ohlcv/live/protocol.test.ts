// The live protocol's message parsing and the shapes of what the server sends.
import { describe, expect, it } from 'vitest';
import { confirmation, errorMessage, parseClientMessage, update } from '../../../../../upstreams/ohlcv/live/protocol.ts';

const base = { action: 'subscribe', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1h' };

describe('live protocol', () => {
  it.each([
    ['not JSON', '{', /Invalid JSON/],
    ['an array', '[]', /JSON object/],
    ['an unknown action', JSON.stringify({ ...base, action: 'watch' }), /Unknown action 'watch'/],
    ['no action', JSON.stringify({ exchange: 'kraken' }), /Unknown action 'undefined'/],
    ['a missing symbol', JSON.stringify({ ...base, symbol: undefined }), /Missing or non-string field\(s\): symbol/],
    ['a numeric exchange', JSON.stringify({ ...base, exchange: 5 }), /exchange/],
    ['a bad symbol', JSON.stringify({ ...base, symbol: 'BTC USDC' }), /Invalid exchange or symbol/],
    ['a bad timeframe', JSON.stringify({ ...base, timeframe: '2d' }), /Invalid timeframe '2d'/],
  ])('refuses %s', (_case, text, pattern) => {
    expect(() => parseClientMessage(text)).toThrow(pattern);
  });

  it('builds the original message shapes', () => {
    const request = parseClientMessage(JSON.stringify(base));
    expect(confirmation(request)).toMatchObject({ type: 'subscription_confirmed', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1h', subscription_type: 'ohlcv_live', data: { status: 'subscribed' } });
    expect(confirmation({ ...request, action: 'unsubscribe' })).toMatchObject({ type: 'unsubscription_confirmed', data: { status: 'unsubscribed' } });
    const data = { timestamp: '2024-02-29T00:00:00.000Z', open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, is_final: false };
    expect(update('kraken', 'BTC/USDC', '1h', data)).toMatchObject({ type: 'ohlcv_update', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1h', data });
    expect(Object.keys(errorMessage('x')).sort()).toEqual(['message', 'timestamp', 'type']);
  });
});
