// GET /health (public): database reachability with latency; 503 when the
// store does not answer within the timeout.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../common/db.ts';
import { OHLCV_DEFAULTS } from '../settings.ts';

export function registerHealthRoutes(app: FastifyInstance, db: Db): void {
  app.get('/health', async (_request, reply) => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database did not answer in time')), OHLCV_DEFAULTS.healthTimeoutMs);
      });
      await Promise.race([db.query('SELECT 1'), timeout]);
      return { status: 'ok', service: 'ohlcv_api', database: { ok: true, latency_ms: elapsed(started) } };
    } catch (error) {
      // A fixed reason: driver messages can carry hosts and ports, and /health is public.
      const message = error instanceof Error && error.message.includes('in time') ? 'timeout' : 'unreachable';
      return reply.code(503).send({ status: 'degraded', service: 'ohlcv_api', database: { ok: false, latency_ms: elapsed(started), error: message } });
    } finally {
      clearTimeout(timer);
    }
  });
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
