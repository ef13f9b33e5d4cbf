// Path and query parameters shared by the read routes: exchange/symbol names
// (the symbol may contain '/', raw or encoded as %2F), limits and time bounds,
// each failing as a FastAPI-shaped 422.
import { HttpError, unprocessable } from '../../common/errors.ts';
import { parseTimestamp } from './times.ts';

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

export function parseLimit(value: unknown, fallback: number, max: number): number {
  return parseOptionalLimit(value, max) ?? fallback;
}

/** The `limit` query parameter when given (1..max), else undefined. */
export function parseOptionalLimit(value: unknown, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value)) throw invalid('query', 'limit', `limit must be an integer between 1 and ${max}`);
  const limit = Number(value);
  if (limit < 1 || limit > max) throw invalid('query', 'limit', `limit must be an integer between 1 and ${max}`);
  return limit;
}

export function parseTimeParam(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseTimestamp(value);
  if (ms === undefined) throw invalid('query', field, `${field} must be an ISO 8601 date-time`);
  return ms;
}

/** start_time/end_time; both required unless `optional`; start must not be after end. */
export function parseRange(query: Record<string, unknown>, optional = false): { start: number | undefined; end: number | undefined } {
  const start = parseTimeParam(query.start_time, 'start_time');
  const end = parseTimeParam(query.end_time, 'end_time');
  if (!optional) {
    const missing = [start === undefined ? 'start_time' : null, end === undefined ? 'end_time' : null].filter((f): f is string => f !== null);
    if (missing.length) throw unprocessable(missing.map((field) => ({ loc: ['query', field], msg: 'Field required', type: 'missing' })));
  }
  if (start !== undefined && end !== undefined && start > end) throw invalid('query', 'start_time', 'start_time must not be after end_time');
  return { start, end };
}

/** A range read without `limit` that holds more rows than we answer at once. */
export function tooManyRows(what: string, max: number): HttpError {
  return invalid('query', 'limit', `the range holds more than ${max} ${what}; narrow start_time/end_time or pass limit`);
}
