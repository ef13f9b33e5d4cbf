// Limits and time bounds fail as FastAPI 422s naming the query field.
import { describe, expect, it } from 'vitest';
import { parseLimit, parseRange, parseSymbol, splitTail } from '../../../../../upstreams/ohlcv/http/params.ts';

const detailOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { status: (error as { status: number }).status, detail: (error as { detail: unknown }).detail };
  }
  throw new Error('expected a throw');
};

describe('query parameters', () => {
  it.each(['abc', '-1', '0', '1.5', '5001', '1e3', ''])('refuses limit=%s', (value) => {
    expect(detailOf(() => parseLimit(value, 100, 5000))).toMatchObject({ status: 422, detail: [{ loc: ['query', 'limit'] }] });
  });

  it('defaults and accepts limits within range', () => {
    expect(parseLimit(undefined, 100, 5000)).toBe(100);
    expect(parseLimit('5000', 100, 5000)).toBe(5000);
  });

  it('refuses start after end and missing bounds', () => {
    expect(detailOf(() => parseRange({ start_time: '2024-02-02', end_time: '2024-02-01' }))).toMatchObject({ status: 422, detail: [{ loc: ['query', 'start_time'] }] });
    expect(detailOf(() => parseRange({}))).toMatchObject({ detail: [{ loc: ['query', 'start_time'], type: 'missing' }, { loc: ['query', 'end_time'], type: 'missing' }] });
    expect(parseRange({}, true)).toEqual({ start: undefined, end: undefined });
  });

  it('splits a wildcard tail from the right so symbols may contain slashes', () => {
    expect(splitTail('BTC/USD:BTC/1h/range', 2)).toEqual({ symbol: 'BTC/USD:BTC', rest: ['1h', 'range'] });
    expect(splitTail('1h', 1)).toBeUndefined();
    expect(detailOf(() => parseSymbol('BTC//USDC'))).toMatchObject({ status: 422 });
    expect(detailOf(() => parseSymbol('BTC/USDC; DROP'))).toMatchObject({ status: 422 });
  });

  it.each(['a/../b', '../BTC', 'BTC/..', 'BTC/./USDC', 'BTC/', '%2F', 'BTC%2FUSDC', 'BTC\\USDC', 'BTC/USDC\u0000'])('refuses the decoded symbol %j', (symbol) => {
    expect(detailOf(() => parseSymbol(symbol))).toMatchObject({ status: 422, detail: [{ loc: ['path', 'symbol'] }] });
  });

  it.each(['BTC/USDC', 'BTC/USD:BTC', 'GOLD', 'ETH-PERP', 'A.B/C'])('accepts the symbol %j', (symbol) => {
    expect(parseSymbol(symbol)).toBe(symbol);
  });
});
