// GET /trades/{exchange}/{symbol} and GET /trades/{exchange}/{symbol}/range.
// A range without `limit` is returned whole (refused past rangeMaxRows, never
// cut); with `limit`, the newest `limit` trades of the range.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReadContext } from '../candles/answers.ts';
import { envelope } from '../http/envelope.ts';
import { describeRoute } from '../../common/openapi.ts';
import { parseOr422 } from '../../common/validate.ts';
import { parseExchange, parseSymbol, tooManyRows } from '../http/params.ts';
import { pairParams, recentTradesQuery, tradeQuery, tradeRangeQuery } from '../http/queries.ts';
import { OHLCV_DEFAULTS } from '../settings.ts';
import { readLatestTrades, readTradeRange } from './read.ts';

type TailRequest = FastifyRequest<{ Params: { exchange: string; '*': string }; Querystring: Record<string, unknown> }>;

export function registerTradeRoutes(app: FastifyInstance, { db, rangeMaxRows: max }: ReadContext): void {
  const limits = OHLCV_DEFAULTS.trades;
  app.get('/trades/:exchange/*', describeRoute({
    anonymous: true,
    tags: ['trades'],
    summary: 'Trades of a symbol',
    description: '`/trades/{exchange}/{symbol}`: the newest `limit` trades (100, at most 5000). `/trades/{exchange}/{symbol}/range?start_time=&end_time=`: '
      + 'all trades of the range without `limit`, else its newest `limit` (at most 10 000). Oldest first: `{trades: [{timestamp, price, volume, side, type}], count, ...}`.',
    params: pairParams,
    query: tradeQuery,
  }), async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const tail = request.params['*'];
    const isRange = tail.endsWith('/range') && tail.includes('/');
    const symbol = parseSymbol(isRange ? tail.slice(0, -'/range'.length) : tail);
    if (isRange) {
      const { start_time: start, end_time: end, limit } = parseOr422(tradeRangeQuery, request.query, 'query');
      const trades = limit === undefined
        ? await readTradeRange(db, exchange, symbol, start, end, max + 1)
        : await readTradeRange(db, exchange, symbol, start, end, limit, 'newest');
      if (limit === undefined && trades.length > max) throw tooManyRows('trades', max);
      return envelope({ trades, count: trades.length, exchange, symbol, start_time: new Date(start).toISOString(), end_time: new Date(end).toISOString(), limit: limit ?? null });
    }
    const limit = parseOr422(recentTradesQuery, request.query, 'query').limit ?? limits.defaultLimit;
    const trades = await readLatestTrades(db, exchange, symbol, limit);
    return envelope({ trades, count: trades.length, exchange, symbol, limit });
  });
}
