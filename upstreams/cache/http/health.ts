// GET /health (public): Redis (or the in-process store) reachability and
// latency; 503 with the same body while the store is unreachable.
import type { FastifyInstance } from 'fastify';
import type { CacheStore } from '../store/types.ts';

const PING_TIMEOUT_MS = 1000;

export function registerHealthRoute(app: FastifyInstance, store: CacheStore): void {
  app.get('/health', async (_request, reply) => {
    const started = performance.now();
    try {
      await withTimeout(store.ping(), PING_TIMEOUT_MS);
      const latency = Math.round((performance.now() - started) * 100) / 100;
      return { status: 'ok', service: 'cache_api', store: store.kind, redis: { ok: true, latency_ms: latency } };
    } catch (error) {
      const latency = Math.round(performance.now() - started);
      return reply.code(503).send({
        status: 'degraded',
        service: 'cache_api',
        store: store.kind,
        redis: { ok: false, latency_ms: latency, error: (error as Error).message || 'unreachable' },
      });
    }
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
