// A collector's metrics (docs/metrics.md), read from its CollectorStatus at
// scrape time: how far behind each followed exchange/symbol is, failures by
// source, and how many targets it follows. Labels are exchange ids and symbols
// from the catalogue (an account is labelled by its exchange, never its id),
// capped at MAX_LAG_SERIES series so a huge catalogue cannot blow up a scrape.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import { createMetricsRegistry, registerMetricsRoute } from '../../common/metrics.ts';
import type { CollectorStatus } from './status.ts';

export const MAX_LAG_SERIES = 1_000;

export function registerCollectorMetrics(app: FastifyInstance, options: { service: string; kind: string; status: CollectorStatus }): void {
  const { status } = options;
  const registry = createMetricsRegistry(options.service, { kind: options.kind });
  new Gauge({
    name: 'collector_following',
    help: 'Symbols (or accounts) the collector follows now',
    registers: [registry],
    collect() {
      this.set(status.following);
    },
  });
  new Gauge({
    name: 'collector_lag_seconds',
    help: 'Seconds since the last successful fetch, per exchange and symbol (symbol empty: the exchange or an account); since start while none succeeded; the largest when several accounts share an exchange',
    labelNames: ['exchange', 'symbol'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const worst = new Map<string, { exchange: string; symbol: string; seconds: number }>();
      for (const entry of status.metricsView().lag) {
        const key = `${entry.exchange}\u0000${entry.symbol}`;
        const known = worst.get(key);
        if (known) known.seconds = Math.max(known.seconds, entry.seconds);
        else if (worst.size < MAX_LAG_SERIES) worst.set(key, { ...entry });
      }
      for (const { exchange, symbol, seconds } of worst.values()) this.set({ exchange, symbol }, seconds);
    },
  });
  // CollectorStatus counts failures itself; the counter follows it at scrape time.
  const seen = new Map<string, number>();
  new Counter({
    name: 'collector_errors_total',
    help: 'Failed fetches and writes, by source: the exchange id, or the upstream written to (orm_api, cache_api, ohlcv_api)',
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      for (const [source, count] of status.metricsView().errors) {
        this.inc({ source }, Math.max(0, count - (seen.get(source) ?? 0)));
        seen.set(source, count);
      }
    },
  });
  registerMetricsRoute(app, registry);
}
