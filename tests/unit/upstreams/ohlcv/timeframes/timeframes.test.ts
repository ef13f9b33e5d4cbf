// Timeframe parsing and the bucket SQL each frame compiles to.
import { describe, expect, it } from 'vitest';
import { TIMEFRAMES, bucketSql, parseTimeframe, readsHourly } from '../../../../../upstreams/ohlcv/timeframes/timeframes.ts';

describe('timeframes', () => {
  it('supports the original fifteen frames', () => {
    expect(TIMEFRAMES).toEqual(['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M']);
  });

  it.each(['7m', '1H', '1mo', '', '1d; DROP TABLE x'])('refuses %j with a 422 listing the supported ones', (value) => {
    expect(() => parseTimeframe(value)).toThrow(expect.objectContaining({
      status: 422, detail: `Invalid timeframe '${value}'. Supported: ${TIMEFRAMES.join(', ')}`,
    }));
  });

  it('uses date_bin from the epoch for fixed widths and UTC date_trunc for weeks and months', () => {
    expect(bucketSql('3d', 'ts')).toBe("date_bin(interval '4320 minutes', ts, TIMESTAMPTZ '1970-01-01T00:00:00Z')");
    expect(bucketSql('1w', 'ts')).toBe("date_trunc('week', ts, 'UTC')");
    expect(bucketSql('1M', 'ts')).toBe("date_trunc('month', ts, 'UTC')");
  });

  it('reads the hourly rollup from 1h up', () => {
    expect(TIMEFRAMES.filter(readsHourly)).toEqual(['1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M']);
  });
});
