// GET /health (public): database reachability with its latency; 503 with the
// same body when the database does not answer, so the supervisor can restart us.
import type { FastifyInstance } from 'fastify';
import type { OrmContext } from '../context.ts';

const HEALTH_TIMEOUT_MS = 2000;

export function registerHealthRoutes(app: FastifyInstance, ctx: OrmContext): void {
  app.get('/health', async (_request, reply) => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ctx.db.query('SELECT 1'),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('database health check timed out')), HEALTH_TIMEOUT_MS); }),
      ]);
      return { status: 'ok', service: 'orm_api', database: { ok: true, latency_ms: elapsed(started) } };
    } catch (error) {
      const message = error instanceof Error ? error.message : 'database unreachable';
      return reply.code(503).send({ status: 'degraded', service: 'orm_api', database: { ok: false, latency_ms: elapsed(started), error: message } });
    } finally {
      clearTimeout(timer);
    }
  });
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
