// GET /candles/{exchange}/{symbol}/{timeframe}[/range] and
// GET /timeseries/{exchange}/{symbol}/ohlcv. The symbol may hold '/' (raw, or
// %2F which the router decodes once), so the tail after the exchange is one
// wildcard split from the right.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../common/errors.ts';
import { describeRoute } from '../../common/openapi.ts';
import { parseExchange, parseSymbol, splitTail } from '../http/params.ts';
import { openRangeQuery, pairParams, timeseriesQuery } from '../http/queries.ts';
import { parseTimeframe } from '../timeframes/timeframes.ts';
import { rangeCandles, recentCandles, timeseriesCandles, type Query, type ReadContext } from './answers.ts';

export type TailRequest = FastifyRequest<{ Params: { exchange: string; '*': string }; Querystring: Query }>;

export function registerCandleRoutes(app: FastifyInstance, ctx: ReadContext): void {
  app.get('/candles/:exchange/*', describeRoute({
    anonymous: true,
    tags: ['candles'],
    summary: 'Candles of a symbol at a timeframe',
    description: '`/candles/{exchange}/{symbol}/{timeframe}`: the newest `limit` candles (100, at most 5000), oldest first. '
      + '`/candles/{exchange}/{symbol}/{timeframe}/range?start_time=&end_time=`: the candles whose bucket starts in the range, all of them without `limit`, '
      + 'else the newest `limit` (at most 10 000). Answer: `{success, message, timestamp, candles: [{timestamp, open, high, low, close, vol}], count, exchange, symbol, timeframe, limit}`.',
    params: pairParams,
    query: openRangeQuery,
  }), async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const tail = request.params['*'];
    const isRange = tail.endsWith('/range') && tail.split('/').length >= 3;
    const split = splitTail(tail, isRange ? 2 : 1);
    if (!split) throw notFound();
    const pair = { exchange, symbol: parseSymbol(split.symbol) };
    const timeframe = parseTimeframe(split.rest[0] ?? '');
    return isRange ? rangeCandles(ctx, pair, timeframe, request.query) : recentCandles(ctx, pair, timeframe, request.query);
  });

  app.get('/timeseries/:exchange/*', describeRoute({
    anonymous: true,
    tags: ['candles'],
    summary: 'OHLCV timeseries (`/timeseries/{exchange}/{symbol}/ohlcv`)',
    description: 'The newest `limit` candles (100, at most 10 000) of [start_time, end_time], or of everything without bounds, as `{ohlcv: [...], count, ...}`.',
    params: pairParams,
    query: timeseriesQuery,
  }), async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const split = splitTail(request.params['*'], 1);
    if (!split || split.rest[0] !== 'ohlcv') throw notFound();
    return timeseriesCandles(ctx, { exchange, symbol: parseSymbol(split.symbol) }, request.query);
  });
}
