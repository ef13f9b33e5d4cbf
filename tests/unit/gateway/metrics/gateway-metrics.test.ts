// The gateway's metrics: counters move with bounded labels (route prefix, local
// route pattern, upstream, status class), never the raw path; auth refusals by
// reason, login throttling, reloads; scrape-time gauges read their sources.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../../../gateway/config/types.ts';
import { createGatewayMetrics } from '../../../../gateway/metrics/gateway-metrics.ts';
import { mayReadMetrics } from '../../../../gateway/metrics/metrics-route.ts';
import { createContext, type LocalRoute, type RequestContext } from '../../../../gateway/pipeline/context.ts';
import type { AuthenticatedUser } from '../../../../gateway/auth/types.ts';

function request(url: string, fill: Partial<RequestContext>): RequestContext {
  const req = { method: 'GET', url, headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
  const ctx = createContext(req, {} as never, null, null);
  ctx.rawPath = url;
  ctx.path = url;
  return Object.assign(ctx, fill);
}

const ormRoute = { prefix: '/api/v1/orm', upstream: 'orm_api' } as RouteConfig;

async function values(metrics: ReturnType<typeof createGatewayMetrics>, name: string) {
  const metric = await metrics.registry.getSingleMetricAsString(name);
  return metric;
}

describe('gateway metrics', () => {
  it('counts a proxied request by its route prefix, upstream and status class, never by its raw path', async () => {
    const metrics = createGatewayMetrics();
    metrics.recordRequest(request('/api/v1/orm/users/12345', { route: ormRoute, upstream: 'orm_api', status: 200 }));
    metrics.recordRequest(request('/api/v1/orm/users/12345', { route: ormRoute, upstream: 'orm_api', status: 404 }));
    const json = await metrics.registry.getMetricsAsJSON();
    const requests = json.find((metric) => metric.name === 'gateway_requests_total')!;
    expect(requests.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 1, labels: { prefix: '/api/v1/orm', upstream: 'orm_api', status_class: '2xx' } }),
        expect.objectContaining({ value: 1, labels: { prefix: '/api/v1/orm', upstream: 'orm_api', status_class: '4xx' } }),
      ]),
    );
    const latency = await values(metrics, 'gateway_request_duration_seconds');
    expect(latency).toContain('gateway_request_duration_seconds_count{prefix="/api/v1/orm",upstream="orm_api",status_class="2xx"} 1');
    // No label anywhere carries the id from the path.
    for (const metric of json) for (const value of metric.values) for (const label of Object.values(value.labels)) expect(String(label)).not.toContain('12345');
    expect(await metrics.registry.metrics()).not.toContain('12345');
  });

  it('labels a local endpoint by its route pattern and an unmatched path as "unmatched"', async () => {
    const metrics = createGatewayMetrics();
    const local = { method: 'GET', path: '/api/v1/services/:name/status', auth: 'admin', handle: () => ({ status: 200, body: null }) } satisfies LocalRoute;
    metrics.recordRequest(request('/api/v1/services/orm_api/status', { local, status: 200 }));
    metrics.recordRequest(request('/no/such/thing/987', { status: 404, errorCode: 'NOT_FOUND' }));
    const text = await values(metrics, 'gateway_requests_total');
    expect(text).toContain('gateway_requests_total{prefix="/api/v1/services/:name/status",upstream="gateway",status_class="2xx"} 1');
    expect(text).toContain('gateway_requests_total{prefix="unmatched",upstream="none",status_class="4xx"} 1');
    expect(text).not.toContain('987');
  });

  it('counts auth refusals by reason and login throttling', async () => {
    const metrics = createGatewayMetrics();
    metrics.recordRequest(request('/api/v1/orm/x', { route: ormRoute, status: 401, errorCode: 'INVALID_TOKEN' }));
    metrics.recordRequest(request('/api/v1/orm/x', { route: ormRoute, status: 403, errorCode: 'FORBIDDEN' }));
    metrics.recordRequest(request('/api/v1/auth/login', { status: 429, errorCode: 'LOGIN_THROTTLED' }));
    expect(await values(metrics, 'gateway_auth_failures_total')).toContain('gateway_auth_failures_total{reason="INVALID_TOKEN"} 1');
    expect(await values(metrics, 'gateway_auth_failures_total')).toContain('gateway_auth_failures_total{reason="FORBIDDEN"} 1');
    expect(await values(metrics, 'gateway_login_throttled_total')).toContain('gateway_login_throttled_total 1');
  });

  it('counts 429s of route rate limits by prefix, from 0 for every limited route', async () => {
    const metrics = createGatewayMetrics();
    const limited = { prefix: '/api/v1/ohlcv', upstream: 'ohlcv_api', rateLimit: { by: 'user' } } as unknown as RouteConfig;
    metrics.prepareRoutes([ormRoute, limited]);
    const before = await values(metrics, 'gateway_rate_limited_total');
    expect(before).toContain('gateway_rate_limited_total{prefix="/api/v1/ohlcv"} 0');
    expect(before).not.toContain('prefix="/api/v1/orm"');
    metrics.recordRequest(request('/api/v1/ohlcv/candles/1', { route: limited, status: 429, errorCode: 'RATE_LIMITED' }));
    metrics.recordRequest(request('/api/v1/ohlcv/candles/2', { route: limited, status: 503, errorCode: 'RATE_LIMIT_UNAVAILABLE' }));
    const after = await values(metrics, 'gateway_rate_limited_total');
    expect(after).toContain('gateway_rate_limited_total{prefix="/api/v1/ohlcv"} 1');
    expect(after).not.toMatch(/candles/);
  });

  it('counts reloads by outcome and keeps the time of the last success', async () => {
    const metrics = createGatewayMetrics();
    expect(await values(metrics, 'gateway_config_last_reload_success_timestamp_seconds')).toContain('gateway_config_last_reload_success_timestamp_seconds 0');
    const before = Date.now() / 1000;
    metrics.recordReload(null);
    metrics.recordReload('routes.yaml:3: bad');
    expect(await values(metrics, 'gateway_config_reloads_total')).toContain('gateway_config_reloads_total{outcome="success"} 1');
    expect(await values(metrics, 'gateway_config_reloads_total')).toContain('gateway_config_reloads_total{outcome="failure"} 1');
    const json = await metrics.registry.getMetricsAsJSON();
    const last = json.find((metric) => metric.name === 'gateway_config_last_reload_success_timestamp_seconds')!.values[0]!.value;
    expect(last).toBeGreaterThanOrEqual(before);
  });

  it('reads upstream health, service state, restarts and open WebSockets at scrape time', async () => {
    const metrics = createGatewayMetrics();
    const services = [{ name: 'orm_api', state: 'running', restarts: 2 }];
    metrics.setSources({ webSockets: () => 3, upstreams: () => [{ name: 'orm_api', up: true }, { name: 'cache_api', up: false }], services: () => services });
    let text = await metrics.registry.metrics();
    expect(text).toContain('gateway_websockets_open 3');
    expect(text).toContain('gateway_upstream_up{upstream="orm_api"} 1');
    expect(text).toContain('gateway_upstream_up{upstream="cache_api"} 0');
    expect(text).toContain('gateway_service_state{service="orm_api",state="running"} 1');
    expect(text).toContain('gateway_service_state{service="orm_api",state="failed"} 0');
    expect(text).toContain('gateway_service_restarts_total{service="orm_api"} 2');
    services[0] = { name: 'orm_api', state: 'backoff', restarts: 3 };
    text = await metrics.registry.metrics();
    expect(text).toContain('gateway_service_restarts_total{service="orm_api"} 3');
    expect(text).toContain('gateway_service_state{service="orm_api",state="backoff"} 1');
  });

  it('lets admins and API keys with metrics:read scrape, not a login token claiming the scope', () => {
    const base: AuthenticatedUser = { userId: 1, email: 'u@example.com', name: 'u', role: 'user', scopes: [], authMethod: 'jwt', expiresAt: null };
    const isAdmin = (user: AuthenticatedUser) => user.role === 'admin';
    expect(mayReadMetrics({ ...base, role: 'admin' }, isAdmin)).toBe(true);
    expect(mayReadMetrics(base, isAdmin)).toBe(false);
    expect(mayReadMetrics({ ...base, authMethod: 'api_key', scopes: ['metrics:read'] }, isAdmin)).toBe(true);
    expect(mayReadMetrics({ ...base, authMethod: 'api_key', scopes: ['read'] }, isAdmin)).toBe(false);
    expect(mayReadMetrics({ ...base, scopes: ['metrics:read'] }, isAdmin)).toBe(false);
  });
});
