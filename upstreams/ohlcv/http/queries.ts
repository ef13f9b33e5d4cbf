// The read routes' query strings as zod schemas: parsed with parseOr422 (FastAPI's
// 422, unknown parameters ignored as FastAPI did) and described in the OpenAPI
// document from the same objects (describeRoute).
import { z } from 'zod';
import { OHLCV_DEFAULTS } from '../settings.ts';
import { TIMEFRAMES } from '../timeframes/timeframes.ts';
import { parseTimestamp } from './times.ts';

/** `limit`: a decimal integer 1..max (no sign, fraction or exponent). */
function limitOf(max: number, description: string) {
  const message = `limit must be an integer between 1 and ${max}`;
  return z.string().regex(/^\d{1,7}$/, message).transform(Number).refine((n) => n >= 1 && n <= max, message).optional().describe(description);
}

/** An ISO 8601 date-time (or date; no zone means UTC) or epoch milliseconds → epoch ms. */
function timeOf(field: string) {
  return z.string().transform((value, ctx) => {
    const ms = parseTimestamp(/^\d{1,16}$/.test(value) ? Number(value) : value);
    if (ms !== undefined) return ms;
    ctx.addIssue({ code: 'custom', message: `${field} must be an ISO 8601 date-time`, input: value });
    return z.NEVER;
  }).describe(`${field.replace('_time', '')} of the range, ISO 8601 (UTC unless a zone is given)`);
}

interface Bounds {
  start_time?: number;
  end_time?: number;
}

function bounded<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape).superRefine((query: Bounds, ctx) => {
    if (query.start_time !== undefined && query.end_time !== undefined && query.start_time > query.end_time) {
      ctx.addIssue({ code: 'custom', message: 'start_time must not be after end_time', path: ['start_time'] });
    }
  });
}

const timeframe = z.string().optional().describe(`one of ${TIMEFRAMES.join(', ')} (default 1m)`);
const { candles, trades, timeseries } = OHLCV_DEFAULTS;

/** GET /candles/{exchange}/{symbol}/{timeframe} and the older /{exchange}/{symbol}[/{timeframe}]. */
export const recentCandlesQuery = z.object({ limit: limitOf(candles.maxLimit, `newest candles to return (default ${candles.defaultLimit})`) });

/** …/range: both bounds; without limit the whole range, with limit its newest `limit`. */
export const candleRangeQuery = bounded({
  start_time: timeOf('start_time'),
  end_time: timeOf('end_time'),
  limit: limitOf(candles.rangeMaxLimit, 'newest candles of the range to return (default: all of them)'),
});

/** The older /{exchange}/{symbol}/{timeframe} with a bound: either bound alone. */
export const openRangeQuery = bounded({
  start_time: timeOf('start_time').optional(),
  end_time: timeOf('end_time').optional(),
  limit: limitOf(candles.rangeMaxLimit, 'newest candles of the range to return (default: all of them)'),
});

/** GET /timeseries/{exchange}/{symbol}/ohlcv: the newest `limit` of the range (or of everything). */
export const timeseriesQuery = bounded({
  timeframe,
  start_time: timeOf('start_time').optional(),
  end_time: timeOf('end_time').optional(),
  limit: limitOf(timeseries.maxLimit, `newest candles to return (default ${timeseries.defaultLimit})`),
});

export const recentTradesQuery = z.object({ limit: limitOf(trades.maxLimit, `newest trades to return (default ${trades.defaultLimit})`) });

/** The documented query of GET /trades/...: bounds only for /range. */
export const tradeQuery = bounded({
  start_time: timeOf('start_time').optional(),
  end_time: timeOf('end_time').optional(),
  limit: limitOf(trades.rangeMaxLimit, `newest trades to return (default ${trades.defaultLimit}; on /range all of them)`),
});

export const tradeRangeQuery = bounded({
  start_time: timeOf('start_time'),
  end_time: timeOf('end_time'),
  limit: limitOf(trades.rangeMaxLimit, 'newest trades of the range to return (default: all of them)'),
});

/** Path parameters as the router hands them over: the symbol tail decoded once. */
export const pairParams = z.object({
  exchange: z.string().describe('exchange name, e.g. kraken'),
  '*': z.string().describe('symbol (BTC/USDC, raw or URL-encoded as BTC%2FUSDC), then the timeframe and /range where the route has them'),
});
