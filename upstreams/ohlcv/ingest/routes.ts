// POST /candles/{exchange}/{symbol} and POST /trades/{exchange}/{symbol}: batch
// ingest for collectors. After the commit the live stream is told what changed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../common/db.ts';
import { describeRoute } from '../../common/openapi.ts';
import { envelope } from '../http/envelope.ts';
import { pairParams } from '../http/queries.ts';
import { parseExchange, parseSymbol } from '../http/params.ts';
import { requireWriter } from './authorize.ts';
import { upsertCandles, type UpsertResult } from './upsert-candles.ts';
import { upsertTrades } from './upsert-trades.ts';
import { validateCandleBatch } from './validate-candles.ts';
import { validateTradeBatch } from './validate-trades.ts';

export type IngestListener = (exchange: string, symbol: string, result: UpsertResult) => void;

type IngestRequest = FastifyRequest<{ Params: { exchange: string; '*': string }; Body: unknown }>;

export function registerIngestRoutes(app: FastifyInstance, db: Db, onIngested: IngestListener): void {
  const respond = (exchange: string, symbol: string, result: UpsertResult) => {
    if (result.inserted + result.updated > 0) onIngested(exchange, symbol, result);
    return envelope({
      exchange, symbol, received: result.received, inserted: result.inserted, updated: result.updated,
      first_timestamp: new Date(result.firstMs).toISOString(), last_timestamp: new Date(result.lastMs).toISOString(),
    });
  };

  app.post('/candles/:exchange/*', describeRoute({
    tags: ['ingest'],
    summary: 'Ingest 1-minute candles (admin or scope ohlcv:write)',
    description: 'Body `{"candles": [{timestamp, open, high, low, close, vol}]}` or a bare array, at most 10 000 rows, timestamps on whole minutes. '
      + 'Idempotent upsert on (exchange, symbol, timestamp); every bad row is named in the 422.',
    params: pairParams,
  }), async (request: IngestRequest) => {
    requireWriter(request);
    const exchange = parseExchange(request.params.exchange);
    const symbol = parseSymbol(request.params['*']);
    const candles = validateCandleBatch(request.body);
    return respond(exchange, symbol, await upsertCandles(db, exchange, symbol, candles));
  });

  app.post('/trades/:exchange/*', describeRoute({
    tags: ['ingest'],
    summary: 'Ingest trades (admin or scope ohlcv:write)',
    description: 'Body `{"trades": [{timestamp, price, volume, side, type}]}` or a bare array, at most 10 000 rows; side buy/sell and type (market, limit...) in any case.',
    params: pairParams,
  }), async (request: IngestRequest) => {
    requireWriter(request);
    const exchange = parseExchange(request.params.exchange);
    const symbol = parseSymbol(request.params['*']);
    const trades = validateTradeBatch(request.body);
    return respond(exchange, symbol, await upsertTrades(db, exchange, symbol, trades));
  });
}
