// GET /candles/{exchange}/{symbol}/{timeframe}[/range] and
// GET /timeseries/{exchange}/{symbol}/ohlcv. The symbol may hold '/' (raw, or
// %2F which the router decodes once), so the tail after the exchange is one
// wildcard split from the right.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../common/errors.ts';
import { parseExchange, parseSymbol, splitTail } from '../http/params.ts';
import { parseTimeframe } from '../timeframes/timeframes.ts';
import { rangeCandles, recentCandles, timeseriesCandles, type Query, type ReadContext } from './answers.ts';

export type TailRequest = FastifyRequest<{ Params: { exchange: string; '*': string }; Querystring: Query }>;

export function registerCandleRoutes(app: FastifyInstance, ctx: ReadContext): void {
  app.get('/candles/:exchange/*', async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const tail = request.params['*'];
    const isRange = tail.endsWith('/range') && tail.split('/').length >= 3;
    const split = splitTail(tail, isRange ? 2 : 1);
    if (!split) throw notFound();
    const pair = { exchange, symbol: parseSymbol(split.symbol) };
    const timeframe = parseTimeframe(split.rest[0] ?? '');
    return isRange ? rangeCandles(ctx, pair, timeframe, request.query) : recentCandles(ctx, pair, timeframe, request.query);
  });

  app.get('/timeseries/:exchange/*', async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const split = splitTail(request.params['*'], 1);
    if (!split || split.rest[0] !== 'ohlcv') throw notFound();
    return timeseriesCandles(ctx, { exchange, symbol: parseSymbol(split.symbol) }, request.query);
  });
}
