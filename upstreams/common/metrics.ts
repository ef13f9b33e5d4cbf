// Prometheus metrics of an upstream process (prom-client), exported the way the
// gateway exports its own (docs/metrics.md): GET /metrics behind the gateway
// assertion, for an admin, an API key with the metrics:read scope, or the
// gateway itself (its service identity is an admin: it scrapes on Prometheus'
// behalf, GET /metrics/<service> on the gateway). One registry per process with
// the service's name as a label on every series. Everything here is read at
// scrape time from counters the code keeps anyway: nothing on a request's path.
// Labels are bounded: states, store kinds, exchange ids and symbols of the
// catalogue; never a raw path, an id or a token.
import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import type { Db } from './db.ts';
import { forbidden } from './errors.ts';
import type { Identity } from './assertion.ts';
import { identityOf } from './server.ts';

export const METRICS_PATH = '/metrics';
/** The API-key scope that opens /metrics (upstreams/orm/api-keys/scopes.ts grants it to admins only). */
export const METRICS_SCOPE = 'metrics:read';

export function mayReadMetrics(identity: Identity): boolean {
  // A login token's scopes are not from the orm's allowlist: only a key's count.
  return identity.role === 'admin' || (identity.authMethod === 'api_key' && identity.scopes.includes(METRICS_SCOPE));
}

export function createMetricsRegistry(service: string, labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service, ...labels });
  return registry;
}

/** GET /metrics on the upstream's own listener (the assertion hook has run: 401 without one). */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get(METRICS_PATH, { schema: { summary: 'Prometheus metrics in the text exposition format (admin, an API key with metrics:read, or the gateway)' } }, async (request, reply) => {
    if (!mayReadMetrics(identityOf(request))) throw forbidden('Admin access or an API key with the metrics:read scope required');
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}

/** db_pool_connections{kind, state}: pg's pool (total, idle, waiting clients) or PGlite's single connection. */
export function addDatabaseMetrics(registry: Registry, db: Db): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database connections by state: total and idle connections, and requests waiting for one (PGlite: one connection)',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    collect() {
      const stats = db.poolStats?.();
      if (!stats) return;
      this.set({ kind: db.kind, state: 'total' }, stats.total);
      this.set({ kind: db.kind, state: 'idle' }, stats.idle);
      this.set({ kind: db.kind, state: 'waiting' }, stats.waiting);
    },
  });
}

/** A gauge whose value is read from `read` at scrape time. */
export function addScrapeGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
