// GET /candles/{exchange}/{symbol}/{timeframe}[/range] and
// GET /timeseries/{exchange}/{symbol}/ohlcv. The symbol may hold '/' (raw or
// %2F), so the tail after the exchange is one wildcard split from the right.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../common/db.ts';
import { notFound } from '../../common/errors.ts';
import { envelope } from '../http/envelope.ts';
import { parseExchange, parseLimit, parseRange, parseSymbol, splitTail } from '../http/params.ts';
import { OHLCV_DEFAULTS } from '../settings.ts';
import { parseTimeframe } from '../timeframes/timeframes.ts';
import { readLatestRows, readRangeRows, toCandle } from './read.ts';

type TailRequest = FastifyRequest<{ Params: { exchange: string; '*': string }; Querystring: Record<string, unknown> }>;

export function registerCandleRoutes(app: FastifyInstance, db: Db): void {
  const limits = OHLCV_DEFAULTS.candles;

  app.get('/candles/:exchange/*', async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const tail = request.params['*'];
    const isRange = tail.endsWith('/range') && tail.split('/').length >= 3;
    const split = splitTail(tail, isRange ? 2 : 1);
    if (!split) throw notFound();
    const symbol = parseSymbol(split.symbol);
    const timeframe = parseTimeframe(split.rest[0] ?? '');
    if (isRange) {
      const { start, end } = parseRange(request.query);
      const limit = parseLimit(request.query.limit, limits.rangeDefaultLimit, limits.rangeMaxLimit);
      const candles = (await readRangeRows(db, exchange, symbol, timeframe, start, end, limit)).map(toCandle);
      return envelope({ candles, count: candles.length, exchange, symbol, timeframe, start_time: iso(start), end_time: iso(end), limit });
    }
    const limit = parseLimit(request.query.limit, limits.defaultLimit, limits.maxLimit);
    const candles = (await readLatestRows(db, exchange, symbol, timeframe, limit)).map(toCandle);
    return envelope({ candles, count: candles.length, exchange, symbol, timeframe, limit });
  });

  app.get('/timeseries/:exchange/*', async (request: TailRequest) => {
    const exchange = parseExchange(request.params.exchange);
    const split = splitTail(request.params['*'], 1);
    if (!split || split.rest[0] !== 'ohlcv') throw notFound();
    const symbol = parseSymbol(split.symbol);
    const timeframe = parseTimeframe(typeof request.query.timeframe === 'string' ? request.query.timeframe : '1m');
    const { start, end } = parseRange(request.query, true);
    const { defaultLimit, maxLimit } = OHLCV_DEFAULTS.timeseries;
    const limit = parseLimit(request.query.limit, defaultLimit, maxLimit);
    const rows = start === undefined && end === undefined
      ? await readLatestRows(db, exchange, symbol, timeframe, limit)
      : await readRangeRows(db, exchange, symbol, timeframe, start, end, limit);
    const ohlcv = rows.map(toCandle);
    return envelope({ ohlcv, count: ohlcv.length, exchange, symbol, timeframe, start_time: iso(start), end_time: iso(end), limit });
  });
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
