// Query strings of the read routes: limits and time bounds fail as FastAPI 422s
// naming the query field; unknown parameters are ignored, as FastAPI did.
import { describe, expect, it } from 'vitest';
import { parseOr422 } from '../../../../../upstreams/common/validate.ts';
import { candleRangeQuery, recentCandlesQuery, timeseriesQuery } from '../../../../../upstreams/ohlcv/http/queries.ts';

const detailOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { status: (error as { status: number }).status, detail: (error as { detail: unknown }).detail };
  }
  throw new Error('expected a throw');
};

describe('read query strings', () => {
  it.each(['abc', '-1', '0', '1.5', '5001', '1e3', '', '1000000000'])('refuses limit=%j', (value) => {
    expect(detailOf(() => parseOr422(recentCandlesQuery, { limit: value }, 'query'))).toMatchObject({ status: 422, detail: [{ loc: ['query', 'limit'], msg: 'limit must be an integer between 1 and 5000' }] });
  });

  it('refuses a repeated limit (?limit=1&limit=2)', () => {
    expect(detailOf(() => parseOr422(recentCandlesQuery, { limit: ['1', '2'] }, 'query'))).toMatchObject({ status: 422, detail: [{ loc: ['query', 'limit'] }] });
  });

  it('accepts limits within range, no limit, and ignores unknown parameters', () => {
    expect(parseOr422(recentCandlesQuery, { limit: '5000', foo: 'bar' }, 'query')).toEqual({ limit: 5000 });
    expect(parseOr422(recentCandlesQuery, {}, 'query')).toEqual({});
  });

  it('refuses start after end and missing bounds', () => {
    expect(detailOf(() => parseOr422(candleRangeQuery, { start_time: '2024-02-02', end_time: '2024-02-01' }, 'query'))).toMatchObject({ status: 422, detail: [{ loc: ['query', 'start_time'], msg: 'start_time must not be after end_time' }] });
    expect(detailOf(() => parseOr422(candleRangeQuery, {}, 'query'))).toMatchObject({ detail: [{ loc: ['query', 'start_time'], type: 'missing' }, { loc: ['query', 'end_time'], type: 'missing' }] });
    expect(parseOr422(timeseriesQuery, {}, 'query')).toEqual({});
  });

  it('reads ISO dates with zones and epoch milliseconds', () => {
    expect(parseOr422(timeseriesQuery, { start_time: '2024-02-29T01:00:00+01:00', end_time: '1709168400000' }, 'query')).toEqual({ start_time: Date.UTC(2024, 1, 29), end_time: Date.UTC(2024, 1, 29, 1) });
    expect(detailOf(() => parseOr422(timeseriesQuery, { start_time: '2023-02-29T00:00:00Z' }, 'query'))).toMatchObject({ detail: [{ loc: ['query', 'start_time'], msg: 'start_time must be an ISO 8601 date-time' }] });
  });
});
