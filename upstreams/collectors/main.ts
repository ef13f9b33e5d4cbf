// Entry point of a collector process: `node upstreams/collectors/main.ts ticker|ohlcv|account`.
// Serves its own state at GET /health on PORT (the supervisor's readiness check and
// the `collector` part of /api/v1/services/{name}/status) and runs its loop until
// SIGTERM. Exchange and upstream failures are retried with backoff, never fatal.
import { createLogger } from '../common/logger.ts';
import { createUpstreamApp, listenFromEnv } from '../common/server.ts';
import { loadServiceSigner } from '../common/service-assertion.ts';
import { runAccountCollector } from './account/account-collector.ts';
import type { CollectorContext } from './common/context.ts';
import { cycleLogFields } from './common/cycle-trace.ts';
import { registerCollectorMetrics } from './common/metrics.ts';
import { loadCollectorSettings, type CollectorKind } from './common/settings.ts';
import { CollectorStatus } from './common/status.ts';
import { UpstreamClient } from './common/upstream-client.ts';
import { runOhlcvCollector } from './ohlcv/ohlcv-collector.ts';
import { runTickerCollector } from './ticker/ticker-collector.ts';

const RUNNERS: Record<CollectorKind, (ctx: CollectorContext) => Promise<void>> = {
  ticker: runTickerCollector,
  ohlcv: runOhlcvCollector,
  account: runAccountCollector,
};

// Only when run (not when the install's warm-up imports it for the compile cache).
if (import.meta.main) await main();

async function main(): Promise<void> {
  const kind = process.argv[2] ?? process.env.COLLECTOR_KIND;
  const service = process.env.SERVICE_NAME || kind || 'collector';
  const logger = createLogger(service, undefined, cycleLogFields);
  let settings;
  try {
    settings = loadCollectorSettings(kind);
  } catch (error) {
    logger.fatal({ err: (error as Error).message }, 'bad collector settings');
    process.exit(2);
  }

  const status = new CollectorStatus(service, logger);
  const client = new UpstreamClient({ urls: { orm_api: settings.ormUrl, cache_api: settings.cacheUrl, ohlcv_api: settings.ohlcvUrl }, signer: loadServiceSigner() });
  const stop = new AbortController();
  const rateLimit = Number(process.env.EXCHANGE_RATE_LIMIT_MS ?? '');
  const ctx: CollectorContext = { settings, logger, status, client, signal: stop.signal, rateLimitMs: Number.isInteger(rateLimit) && rateLimit > 0 ? rateLimit : undefined };

  const app = createUpstreamApp({ name: service, logger });
  app.get('/health', async () => status.report());
  registerCollectorMetrics(app, { service, kind: settings.kind, status });
  const running = RUNNERS[settings.kind](ctx).catch((error: Error) => {
    logger.fatal({ err: error.message }, 'collector loop crashed');
    process.exit(1);
  });
  await listenFromEnv({
    app,
    logger,
    onClose: async () => {
      stop.abort();
      await running;
      await client.close();
    },
  });
  logger.info({ kind: settings.kind, exchanges: Object.keys(settings.exchangeUrls) }, 'collector started');
}
