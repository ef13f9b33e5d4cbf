// Client timestamps are parsed strictly: real calendar dates only, zones honoured.
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../../../../upstreams/ohlcv/http/times.ts';

describe('parseTimestamp', () => {
  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2000-02-29T00:00:00.000Z', Date.UTC(2000, 1, 29)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2024-02-29T12:30', Date.UTC(2024, 1, 29, 12, 30)],
    ['2024-02-29T12:30:15.5Z', Date.UTC(2024, 1, 29, 12, 30, 15, 500)],
    ['2024-02-29T12:30:15.123456Z', Date.UTC(2024, 1, 29, 12, 30, 15, 123)],
    ['2024-03-01T01:00:00+02:00', Date.UTC(2024, 1, 29, 23)],
    ['2024-02-28T22:00:00-0130', Date.UTC(2024, 1, 28, 23, 30)],
    [1_709_164_800_000, Date.UTC(2024, 1, 29)],
  ])('accepts %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    '2023-02-29T00:00:00Z', '2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-01-01T24:00:00.000Z',
    '2024-01-01T00:00:00.00xZ', '2024-01-01X00:00:00.000Z', '2024-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-01T24:00:00Z', '2024-01-01T10:60Z',
    'yesterday', '', '2024-01-01T00:00:00+25:00', '1969-12-31T23:59:59Z', 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, null, {},
  ])('refuses %s', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });
});
