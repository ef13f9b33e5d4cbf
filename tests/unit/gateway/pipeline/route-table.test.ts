import { describe, expect, it } from 'vitest';
import type { EdgeAuth } from '../../../../gateway/auth/types.ts';
import { parseConfigText } from '../../../../gateway/config/load.ts';
import { parseTrustedProxies } from '../../../../gateway/config/settings.ts';
import { buildRouteTable } from '../../../../gateway/pipeline/route-table.ts';
import type { ProxyEngine } from '../../../../gateway/proxy/engine.ts';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';
import { RateLimitStore } from '../../../../gateway/ratelimit/store.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';

const yaml = `upstreams:
  a: { url: http://127.0.0.1:1 }
  b: { url: http://127.0.0.1:2 }
routes:
  - { prefix: /api, upstream: a, auth: public }
  - { prefix: /api/v1/orm, upstream: b, auth: admin, websocket: true }
  - { prefix: /api/v1, upstream: a, rate_limit: { requests: 10, per: 1m } }
  - { prefix: /, upstream: b, auth: public }
`;

const auth: EdgeAuth = { authenticate: async () => ({ kind: 'anonymous' }), isAdmin: () => false, identityHeaders: async () => ({}) };
const deps = { auth, registry: new UpstreamRegistry(), engine: {} as ProxyEngine, trustedProxies: parseTrustedProxies(''), rateLimits: new RateLimitStore({ logger: createGatewayLogger({ level: 'silent' }) }), onBodyTooLarge: () => {} };

describe('RouteTable', () => {
  const config = parseConfigText(yaml, 'r.yaml', {}).config!;
  const table = buildRouteTable(config, deps);

  it.each([
    ['/api/v1/orm/users', '/api/v1/orm'],
    ['/api/v1/orm', '/api/v1/orm'],
    ['/api/v1/ormx', '/api/v1'],
    ['/api/v1/ohlcv/candles', '/api/v1'],
    ['/api/x', '/api'],
    ['/apix', '/'],
    ['/', '/'],
  ])('matches %s to the longest prefix %s', (path, prefix) => {
    expect(table.match(path)?.config.prefix).toBe(prefix);
  });

  it('compiles each route into named HTTP and WebSocket stage lists, once', () => {
    const names = (prefix: string, kind: 'http' | 'ws') => table.routes.find((r) => r.config.prefix === prefix)![kind].map((stage) => stage.name);
    expect(names('/api/v1/orm', 'http')).toEqual(['checkAuthPolicy', 'checkUpstreamAvailable', 'rewriteForUpstream', 'checkBodyLimit', 'proxyHttp']);
    expect(names('/api/v1/orm', 'ws')).toEqual(['checkAuthPolicy', 'checkUpstreamAvailable', 'rewriteForUpstream', 'proxyWebSocket']);
    // Public routes carry no auth stage at all; non-WebSocket routes refuse upgrades.
    expect(names('/api', 'http')).toEqual(['checkUpstreamAvailable', 'rewriteForUpstream', 'checkBodyLimit', 'proxyHttp']);
    expect(names('/api', 'ws')).toEqual(['refuseUpgrade']);
    // A rate limit counts after auth (it needs the identity), before anything is forwarded.
    expect(names('/api/v1', 'http')).toEqual(['checkAuthPolicy', 'checkRateLimit', 'checkUpstreamAvailable', 'rewriteForUpstream', 'checkBodyLimit', 'proxyHttp']);
  });

  it('keeps the table it was built from, so a swap is one reference', () => {
    const next = buildRouteTable(parseConfigText(yaml.replace('/api/v1/orm', '/api/v2'), 'r.yaml', {}).config!, deps);
    expect(table.match('/api/v1/orm/x')?.config.upstream).toBe('b');
    expect(next.match('/api/v1/orm/x')?.config.upstream).toBe('a');
  });
});
