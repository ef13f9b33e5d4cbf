// GET /metrics through the real gateway with the real EdgeAuth: refused without
// credentials (401) and for a plain user (403); an admin gets the Prometheus text
// with the metric names, and a proxied request with an id in its path shows up by
// its route prefix only; a route rate limit's 429 is counted by its prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeAuth, type GatewayEdgeAuth } from '../../../../gateway/auth/edge-auth.ts';
import { loadAuthSettings } from '../../../../gateway/auth/settings.ts';
import { createGatewayMetrics } from '../../../../gateway/metrics/gateway-metrics.ts';
import { createMetricsRoutes } from '../../../../gateway/metrics/metrics-route.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { TEST_ASSERTION_KEY } from '../../../helpers/assertion.ts';
import { startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const USERS: Record<number, { uid: number; mail: string; name: string; role: 'admin' | 'user'; active: boolean }> = {
  1: { uid: 1, mail: 'admin@example.com', name: 'Admin', role: 'admin', active: true },
  7: { uid: 7, mail: 'u@example.com', name: 'U', role: 'user', active: true },
};

let upstream: StubUpstream;
let orm: StubUpstream;
let gw: TestGateway;
let auth: GatewayEdgeAuth;

beforeAll(async () => {
  upstream = await startStubUpstream();
  orm = await startStubUpstream({
    '/internal/auth/user-status': (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        const user = USERS[(JSON.parse(body) as { uid: number }).uid];
        res.writeHead(user ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(user ?? { detail: 'Unknown user' }));
      });
    },
  });
  const registry = new UpstreamRegistry();
  registry.ensure('orm_api', new URL(orm.url), 'up');
  auth = await createEdgeAuth({
    settings: loadAuthSettings({ env: { JWT_SECRET_KEY: 'metrics-test-secret-0123456789-abcdefgh' }, warn: () => {} }),
    registry,
    assertionKey: TEST_ASSERTION_KEY,
  });
  const metrics = createGatewayMetrics();
  gw = await startTestGateway({
    yaml: `
upstreams:
  stub:
    url: ${upstream.url}
routes:
  - { prefix: /api/v1/orm, upstream: stub, rewrite: "", auth: user }
  - { prefix: /api/v1/limited, upstream: stub, rewrite: "", auth: public, rate_limit: { by: ip, requests: 1, per: 1h } }
`,
    auth,
    metrics,
    localRoutes: createMetricsRoutes({ gateway: () => metrics.registry.metrics() }, (user) => auth.isAdmin(user)),
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await orm?.close();
});

const token = (uid: number, mail: string, role: 'user' | 'admin') => auth.tokens.issue({ uid, mail, role }).then((t) => t.token);

describe('GET /metrics', () => {
  it('refuses a scrape without credentials with 401', async () => {
    const response = await fetch(`${gw.url}/metrics`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: expect.any(String) });
  });

  it('refuses a plain user with 403', async () => {
    const response = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${await token(7, 'u@example.com', 'user')}` } });
    expect(response.status).toBe(403);
  });

  it('gives an admin the metrics as Prometheus text, with requests labelled by prefix and never by raw path', async () => {
    const user = await token(7, 'u@example.com', 'user');
    expect((await fetch(`${gw.url}/api/v1/orm/users/12345`, { headers: { authorization: `Bearer ${user}` } })).status).toBe(200);
    // Refusals of its own, counted by reason (this test does not rely on the ones above).
    expect((await fetch(`${gw.url}/api/v1/orm/users/12345`)).status).toBe(401);
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${user}` } })).status).toBe(403);
    const response = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${await token(1, 'admin@example.com', 'admin')}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'gateway_requests_total',
      'gateway_request_duration_seconds',
      'gateway_auth_failures_total',
      'gateway_login_throttled_total',
      'gateway_rate_limited_total',
      'gateway_config_reloads_total',
      'gateway_config_last_reload_success_timestamp_seconds',
      'gateway_websockets_open',
      'gateway_upstream_up',
      'gateway_service_state',
      'gateway_service_restarts_total',
    ]) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('gateway_requests_total{prefix="/api/v1/orm",upstream="stub",status_class="2xx"} 1');
    expect(text).toMatch(/gateway_auth_failures_total\{reason="UNAUTHORIZED"\} [1-9]/);
    expect(text).toMatch(/gateway_auth_failures_total\{reason="FORBIDDEN"\} [1-9]/);
    expect(text).not.toContain('12345');
  });

  it('counts a route rate limit\'s 429 by the route prefix', async () => {
    const scrape = async () => (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${await token(1, 'admin@example.com', 'admin')}` } })).text();
    expect(await scrape()).toContain('gateway_rate_limited_total{prefix="/api/v1/limited"} 0');
    expect((await fetch(`${gw.url}/api/v1/limited/a`)).status).toBe(200);
    expect((await fetch(`${gw.url}/api/v1/limited/b`)).status).toBe(429);
    const text = await scrape();
    expect(text).toContain('gateway_rate_limited_total{prefix="/api/v1/limited"} 1');
    expect(text).toContain('gateway_requests_total{prefix="/api/v1/limited",upstream="stub",status_class="4xx"} 1');
  });
});
