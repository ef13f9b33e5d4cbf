// Symbols and wildcard tails fail as FastAPI 422s naming the path field.
import { describe, expect, it } from 'vitest';
import { parseSymbol, splitTail } from '../../../../../upstreams/ohlcv/http/params.ts';

const detailOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { status: (error as { status: number }).status, detail: (error as { detail: unknown }).detail };
  }
  throw new Error('expected a throw');
};

describe('path parameters', () => {
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
