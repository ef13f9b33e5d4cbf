// toTickerView maps fullon's tick JSON to the API's ticker fields.
import { describe, expect, it } from 'vitest';
import { toTickerView } from '../../../../../upstreams/cache/actions/tickers.ts';

describe('toTickerView', () => {
  it('maps fullon tick fields, time → timestamp', () => {
    const raw = JSON.stringify({ symbol: 'BTC/USDT', exchange: 'kraken', price: 100.5, volume: 3, time: 1700000000.5, bid: 100, ask: 101, last: 100.5 });
    expect(toTickerView(raw, 'kraken', 'BTC/USDT')).toEqual({ symbol: 'BTC/USDT', exchange: 'kraken', price: 100.5, volume: 3, timestamp: 1700000000.5, bid: 100, ask: 101, change_24h: 0 });
  });

  it.each([
    ['numeric strings', { price: '5', volume: '2', time: '10' }, { price: 5, volume: 2, timestamp: 10 }],
    ['ISO time', { price: 1, time: '2024-01-01T00:00:00Z' }, { price: 1, timestamp: 1704067200 }],
    ['last only', { last: 7 }, { price: 7 }],
    ['garbage numbers', { price: 'abc', bid: null }, { price: 0, bid: 0 }],
  ])('tolerates %s', (_name, tick, expected) => {
    expect(toTickerView(JSON.stringify(tick), 'x', 'A/B')).toMatchObject(expected);
  });

  it.each(['not json', '[1,2]', 'null', '"text"'])('returns null for %s', (raw) => {
    expect(toTickerView(raw, 'x', 'A/B')).toBeNull();
  });
});
