// GET /metrics on the main listener. Not public: Prometheus scrapes with a bearer
// token, which must be an admin's (token or key) or an API key carrying the
// "metrics:read" scope (only an admin can grant it: upstreams/orm/api-keys/scopes.ts).
// A login token's scopes are not trusted for this: only a key's scopes come
// from the orm's allowlist.
import type { AuthenticatedUser } from '../auth/types.ts';
import type { LocalRoute } from '../pipeline/context.ts';
import { errors } from '../pipeline/errors.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';

export const METRICS_PATH = '/metrics';
export const METRICS_SCOPE = 'metrics:read';

export function mayReadMetrics(user: AuthenticatedUser, isAdmin: (user: AuthenticatedUser) => boolean): boolean {
  return isAdmin(user) || (user.authMethod === 'api_key' && user.scopes.includes(METRICS_SCOPE));
}

export function createMetricsRoute(metrics: GatewayMetrics, isAdmin: (user: AuthenticatedUser) => boolean): LocalRoute {
  return {
    method: 'GET',
    path: METRICS_PATH,
    // "user": credentials are checked (401 without); the scope or admin check is here (403).
    auth: 'user',
    async handle(ctx) {
      if (!ctx.user || !mayReadMetrics(ctx.user, isAdmin)) throw errors.forbidden('Admin access or an API key with the metrics:read scope required');
      const text = await metrics.registry.metrics();
      return { status: 200, body: null, headers: { 'cache-control': 'no-store' }, raw: { contentType: metrics.registry.contentType, data: text } };
    },
  };
}
