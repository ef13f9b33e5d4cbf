// Older path forms fullon clients still send (example_ohlcv_routes.py,
// example_beta1.py), served as aliases of the current routes:
//   GET /{exchange}/{symbol}/{timeframe}  → recent candles, or the range when
//                                            start_time/end_time are given
//   GET /{exchange}/{symbol}/ohlcv        → the timeseries answer
//   GET /{exchange}/{symbol}              → recent 1m candles
// Static routes (/candles, /trades, /exchanges, /health...) win over this one.
// The tail is split from the right like the current routes, so a symbol may
// arrive raw (BTC/USDC) or encoded (BTC%2FUSDC, decoded once by the router).
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/errors.ts';
import { describeRoute } from '../../common/openapi.ts';
import { parseExchange, parseSymbol, splitTail } from '../http/params.ts';
import { pairParams, timeseriesQuery } from '../http/queries.ts';
import { isTimeframe, parseTimeframe } from '../timeframes/timeframes.ts';
import { rangeCandles, recentCandles, timeseriesCandles, type ReadContext } from './answers.ts';
import type { TailRequest } from './routes.ts';

const LOOKS_LIKE_TIMEFRAME = /^\d{1,3}[a-zA-Z]$/;

export function registerLegacyCandleRoutes(app: FastifyInstance, ctx: ReadContext): void {
  app.get('/:exchange/*', describeRoute({
    anonymous: true,
    tags: ['candles'],
    summary: 'Older path forms: /{exchange}/{symbol}/{timeframe}, /{exchange}/{symbol}/ohlcv, /{exchange}/{symbol}',
    description: 'Aliases kept for fullon clients: `/{exchange}/{symbol}/{timeframe}` answers as `/candles/...` (the range when start_time or end_time is given), '
      + '`/{exchange}/{symbol}/ohlcv` as `/timeseries/...`, `/{exchange}/{symbol}` the newest 1m candles.',
    deprecated: true,
    params: pairParams,
    query: timeseriesQuery,
  }), async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const tail = request.params['*'];
    if (tail === '') throw notFound();
    const split = splitTail(tail, 1);
    const last = split?.rest[0] ?? '';
    if (split && last === 'ohlcv') return timeseriesCandles(ctx, { exchange, symbol: parseSymbol(split.symbol) }, request.query);
    // "7m" looks like a timeframe, not like the end of a symbol: 422 as on /candles.
    if (split && (isTimeframe(last) || LOOKS_LIKE_TIMEFRAME.test(last))) {
      const timeframe = parseTimeframe(last);
      const pair = { exchange, symbol: parseSymbol(split.symbol) };
      const bounded = request.query.start_time !== undefined || request.query.end_time !== undefined;
      return bounded ? rangeCandles(ctx, pair, timeframe, request.query, 'optional') : recentCandles(ctx, pair, timeframe, request.query);
    }
    return recentCandles(ctx, { exchange, symbol: parseSymbol(tail) }, '1m', request.query);
  });
}
