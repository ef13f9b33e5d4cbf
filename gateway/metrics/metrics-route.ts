// GET /metrics and GET /metrics/<service> on the main listener. Not public:
// Prometheus scrapes with a bearer token, which must be an admin's (token or key)
// or an API key carrying the "metrics:read" scope (only an admin can grant it:
// upstreams/orm/api-keys/scopes.ts). A login token's scopes are not trusted for
// this: only a key's scopes come from the orm's allowlist.
// Where the text comes from is the caller's (MetricsSource): in a worker, the
// primary aggregates every worker's registry and fetches a service's metrics.
import { Registry } from 'prom-client';
import type { AuthenticatedUser } from '../auth/types.ts';
import type { LocalRoute, RequestContext } from '../pipeline/context.ts';
import { errors } from '../pipeline/errors.ts';

export const METRICS_PATH = '/metrics';
export const METRICS_SCOPE = 'metrics:read';
/** text/plain; version=0.0.4 — the exposition format every source answers in. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface MetricsSource {
  /** The gateway's own metrics (all workers' when there are several). */
  gateway(): Promise<string>;
  /** A supervised process's own metrics (service-metrics.ts); absent: GET /metrics/<service> is not offered. */
  service?(name: string): Promise<string>;
}

export function mayReadMetrics(user: AuthenticatedUser, isAdmin: (user: AuthenticatedUser) => boolean): boolean {
  return isAdmin(user) || (user.authMethod === 'api_key' && user.scopes.includes(METRICS_SCOPE));
}

export function createMetricsRoutes(source: MetricsSource, isAdmin: (user: AuthenticatedUser) => boolean): LocalRoute[] {
  const answer = (text: string) => ({ status: 200, body: null, headers: { 'cache-control': 'no-store' }, raw: { contentType: METRICS_CONTENT_TYPE, data: text } });
  const checkReader = (ctx: RequestContext) => {
    if (!ctx.user || !mayReadMetrics(ctx.user, isAdmin)) throw errors.forbidden('Admin access or an API key with the metrics:read scope required');
  };
  // "user": credentials are checked (401 without); the scope or admin check is here (403).
  const routes: LocalRoute[] = [
    {
      method: 'GET',
      path: METRICS_PATH,
      auth: 'user',
      async handle(ctx) {
        checkReader(ctx);
        return answer(await source.gateway());
      },
    },
  ];
  const service = source.service;
  if (service) {
    routes.push({
      method: 'GET',
      path: `${METRICS_PATH}/:service`,
      auth: 'user',
      async handle(ctx, params) {
        checkReader(ctx);
        return answer(await service(params.service!));
      },
    });
  }
  return routes;
}
