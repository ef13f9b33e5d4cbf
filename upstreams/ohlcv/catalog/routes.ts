// The real catalogue (the original's were stubs): GET /exchanges with symbol
// counts and GET /exchanges/{exchange}/symbols with first/last timestamps and
// row counts, all read from ohlcv_symbols, which ingest keeps current.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../common/db.ts';
import { describeRoute } from '../../common/openapi.ts';
import { envelope } from '../http/envelope.ts';
import { parseExchange } from '../http/params.ts';

interface SymbolRow {
  symbol: string;
  candle_first: Date | null;
  candle_last: Date | null;
  candle_count: number;
  trade_first: Date | null;
  trade_last: Date | null;
  trade_count: number;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function registerCatalogRoutes(app: FastifyInstance, db: Db): void {
  app.get('/exchanges', describeRoute({ anonymous: true, tags: ['catalogue'], summary: 'Exchanges with stored data and their symbol counts' }), async () => {
    const { rows } = await db.query<{ exchange: string; symbol_count: number; candle_count: number; trade_count: number }>(
      `SELECT exchange, count(*)::int AS symbol_count, sum(candle_count)::float8 AS candle_count, sum(trade_count)::float8 AS trade_count
       FROM ohlcv_symbols WHERE candle_count + trade_count > 0 GROUP BY exchange ORDER BY exchange`);
    return envelope({ exchanges: rows, count: rows.length });
  });

  app.get('/exchanges/:exchange/symbols', describeRoute({ anonymous: true, tags: ['catalogue'], summary: 'Symbols of an exchange with first/last timestamps and candle/trade counts' }), async (request: FastifyRequest<{ Params: { exchange: string } }>) => {
    const exchange = parseExchange(request.params.exchange);
    const { rows } = await db.query<SymbolRow>(
      `SELECT symbol, candle_first, candle_last, candle_count, trade_first, trade_last, trade_count
       FROM ohlcv_symbols WHERE exchange = $1 AND candle_count + trade_count > 0 ORDER BY symbol`, [exchange]);
    const symbols = rows.map((row) => ({
      symbol: row.symbol,
      first_timestamp: iso(earliest(row.candle_first, row.trade_first)),
      last_timestamp: iso(latest(row.candle_last, row.trade_last)),
      candle_count: Number(row.candle_count),
      trade_count: Number(row.trade_count),
      candles: { first_timestamp: iso(row.candle_first), last_timestamp: iso(row.candle_last), count: Number(row.candle_count) },
      trades: { first_timestamp: iso(row.trade_first), last_timestamp: iso(row.trade_last), count: Number(row.trade_count) },
    }));
    return envelope({ exchange, symbols, count: symbols.length });
  });
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a < b ? a : b;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a > b ? a : b;
}
