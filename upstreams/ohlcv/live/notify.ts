// Turns an ingest into ohlcv_update pushes: for each subscribed timeframe of the
// ingested pair only, the newest two buckets (the current and the just-closed
// one) are recomputed in SQL, and those the batch touched are pushed. Work is
// chained per pair so updates leave in ingest order.
import type { Logger } from 'pino';
import type { Queryable } from '../../common/db.ts';
import { readLatestRows } from '../candles/read.ts';
import type { IngestListener } from '../ingest/routes.ts';
import type { LiveHub } from './hub.ts';
import { update } from './protocol.ts';

export function createLiveNotifier(db: Queryable, hub: LiveHub, logger: Logger): IngestListener & { idle(): Promise<void> } {
  const chains = new Map<string, Promise<void>>();
  const notify = (exchange: string, symbol: string, result: { firstMs: number; lastMs: number }) => {
    if (hub.timeframesFor(exchange, symbol).length === 0) return;
    const key = `${exchange}\u0000${symbol}`;
    const next = (chains.get(key) ?? Promise.resolve())
      .then(() => pushUpdates(db, hub, exchange, symbol, result.firstMs, result.lastMs))
      .catch((error: unknown) => logger.error({ err: error, exchange, symbol }, 'live update failed'));
    chains.set(key, next);
    void next.then(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };
  return Object.assign(notify, {
    /** Resolves once every queued push has been sent (tests, shutdown). */
    async idle() {
      while (chains.size) await Promise.all(chains.values());
    },
  });
}

async function pushUpdates(db: Queryable, hub: LiveHub, exchange: string, symbol: string, firstMs: number, lastMs: number): Promise<void> {
  for (const timeframe of hub.timeframesFor(exchange, symbol)) {
    const rows = await readLatestRows(db, exchange, symbol, timeframe, 2, true);
    for (const row of rows) {
      // Push only buckets the batch overlapped: [bucket start, bucket end) ∩ [first, last].
      if (row.ts > lastMs || row.end_ts! <= firstMs) continue;
      const message = update(exchange, symbol, timeframe, {
        timestamp: new Date(row.ts).toISOString(), open: row.open, high: row.high, low: row.low, close: row.close, volume: row.vol, is_final: row.is_final === true,
      });
      hub.broadcast(exchange, symbol, timeframe, message);
    }
  }
}
