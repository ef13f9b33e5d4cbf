// Trade batches: side, type, finite price and non-negative volume per row.
import { describe, expect, it } from 'vitest';
import { validateTradeBatch } from '../../../../../upstreams/ohlcv/ingest/validate-trades.ts';

const trade = (overrides: Record<string, unknown> = {}) => ({ timestamp: '2024-02-29T00:00:00.250Z', price: 10, volume: 1, side: 'buy', ...overrides });

describe('validateTradeBatch', () => {
  it.each([
    [{ side: 'long' }, 'side'],
    [{ volume: -1 }, 'volume'],
    [{ price: Number.NaN }, 'price'],
    [{ type: 'Market Order' }, 'type'],
    [{ timestamp: 'now' }, 'timestamp'],
  ])('names the row for %o', (overrides, field) => {
    expect(() => validateTradeBatch({ trades: [trade(), trade(overrides)] })).toThrow(expect.objectContaining({
      status: 422, detail: [expect.objectContaining({ loc: ['body', 'trades', 1, field] })],
    }));
  });

  it('defaults the type to market and keeps millisecond timestamps', () => {
    expect(validateTradeBatch([trade()])).toEqual([{ ts: Date.UTC(2024, 1, 29, 0, 0, 0, 250), price: 10, volume: 1, side: 'buy', type: 'market' }]);
  });
});
