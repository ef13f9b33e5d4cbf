// The cache upstream's metrics (docs/metrics.md): the store (Redis or the
// in-process one) and the WebSocket side, all read at scrape time.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import { addScrapeGauge, createMetricsRegistry, registerMetricsRoute } from '../../common/metrics.ts';
import type { StreamHub } from '../streams/hub.ts';
import type { CacheStore } from '../store/types.ts';

export interface CacheMetricsSources {
  store: CacheStore;
  hub: StreamHub;
  /** Open client WebSockets. */
  connections: () => number;
}

export function registerCacheMetrics(app: FastifyInstance, sources: CacheMetricsSources): void {
  const registry = createMetricsRegistry('cache_api');
  const { store, hub } = sources;
  new Gauge({
    name: 'cache_store_up',
    help: 'Whether the cache store is reachable (1) or not (0); the in-process store is always up',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.set({ kind: store.kind }, (store.stats?.().up ?? true) ? 1 : 0);
    },
  });
  // The store counts failed commands itself; the counter follows it at scrape time.
  let seen = 0;
  new Counter({
    name: 'cache_store_command_errors_total',
    help: 'Store commands that failed (Redis unreachable, timed out or answering an error)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const now = store.stats?.().commandErrors ?? 0;
      this.inc({ kind: store.kind }, Math.max(0, now - seen));
      seen = now;
    },
  });
  addScrapeGauge(registry, 'cache_websocket_connections', 'Client WebSockets open on the cache upstream', sources.connections);
  addScrapeGauge(registry, 'cache_stream_sources', 'Running stream sources (one per distinct subscription, shared by its subscribers)', () => hub.size);
  registerMetricsRoute(app, registry);
}
