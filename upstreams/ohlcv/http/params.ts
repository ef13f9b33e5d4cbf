// Path parameters shared by the read routes: exchange/symbol names (the symbol
// may contain '/', raw or encoded as %2F), each failing as a FastAPI-shaped 422.
// Query strings are zod schemas in queries.ts.
import { HttpError, unprocessable } from '../../common/errors.ts';

const EXCHANGE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;

function invalid(location: 'path' | 'query', field: string, msg: string): HttpError {
  return unprocessable([{ loc: [location, field], msg, type: 'value_error' }]);
}

export function parseExchange(value: unknown): string {
  if (typeof value !== 'string' || !EXCHANGE.test(value)) throw invalid('path', 'exchange', 'exchange must be 1-64 letters, digits, _ . -');
  return value;
}

/**
 * A symbol arrives decoded once by the router (`BTC%2FUSDC` → `BTC/USDC`); its
 * '/'-separated parts are never empty, '.' or '..' (an encoded `a%2F..%2Fb`
 * is refused, not normalised), and `%` cannot appear (`%252F` stays refused).
 */
function isSymbol(value: unknown): value is string {
  if (typeof value !== 'string' || !SYMBOL.test(value)) return false;
  return value.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

export function parseSymbol(value: string): string {
  if (!isSymbol(value)) throw invalid('path', 'symbol', 'symbol must be 1-64 letters, digits, _ . : / - (no empty, . or .. parts)');
  return value;
}

export function isValidPair(exchange: unknown, symbol: unknown): boolean {
  return typeof exchange === 'string' && EXCHANGE.test(exchange) && isSymbol(symbol);
}

/** Splits the wildcard tail `BTC/USDC/1h/range` into symbol and trailing segments. */
export function splitTail(tail: string, trailing: number): { symbol: string; rest: string[] } | undefined {
  const parts = tail.split('/');
  if (parts.length <= trailing) return undefined;
  return { symbol: parts.slice(0, parts.length - trailing).join('/'), rest: parts.slice(parts.length - trailing) };
}

/** A range read without `limit` that holds more rows than we answer at once. */
export function tooManyRows(what: string, max: number): HttpError {
  return invalid('query', 'limit', `the range holds more than ${max} ${what}; narrow start_time/end_time or pass limit`);
}
