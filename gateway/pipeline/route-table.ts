// The routing table built from one GatewayConfig: every route compiled once into
// its HTTP and WebSocket stage lists (fastify: hooks compiled at start). A reload
// builds a whole new table; the gateway swaps one reference (Traefik's switcher),
// so in-flight requests keep the route they matched.
import type { BlockList } from 'node:net';
import type { EdgeAuth } from '../auth/types.ts';
import type { GatewayConfig, RouteConfig } from '../config/types.ts';
import type { ProxyEngine } from '../proxy/engine.ts';
import type { RateLimitStore } from '../ratelimit/store.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import type { RequestContext, Stage } from './context.ts';
import { errors } from './errors.ts';
import { isUnderPrefix } from './paths.ts';
import { enforceAuthPolicy } from './stages/auth-policy.ts';
import { limitBody } from './stages/body-limit.ts';
import { limitRate } from './stages/rate-limit.ts';
import { requireUpstreamUp } from './stages/upstream-available.ts';
import { prepareUpstreamRequest } from './stages/upstream-headers.ts';

export interface CompiledRoute {
  config: RouteConfig;
  http: readonly Stage[];
  ws: readonly Stage[];
}

export interface RouteTableDeps {
  auth: EdgeAuth;
  registry: UpstreamRegistry;
  engine: ProxyEngine;
  trustedProxies: BlockList;
  /** Where route rate limits count (memory or Redis). */
  rateLimits: RateLimitStore;
  /** Streamed body passed the limit: cancel upstream, answer 413. */
  onBodyTooLarge: (ctx: RequestContext) => void;
}

export class RouteTable {
  readonly config: GatewayConfig;
  readonly routes: readonly CompiledRoute[];

  constructor(config: GatewayConfig, routes: CompiledRoute[]) {
    this.config = config;
    // Longest prefix first: the first match is the most specific one.
    this.routes = [...routes].sort((a, b) => b.config.prefix.length - a.config.prefix.length);
  }

  match(path: string): CompiledRoute | null {
    for (const route of this.routes) if (isUnderPrefix(path, route.config.prefix)) return route;
    return null;
  }
}

export function buildRouteTable(config: GatewayConfig, deps: RouteTableDeps): RouteTable {
  return new RouteTable(config, config.routes.map((route) => compileRoute(route, config, deps)));
}

function compileRoute(route: RouteConfig, config: GatewayConfig, deps: RouteTableDeps): CompiledRoute {
  const upstream = config.upstreams.get(route.upstream);
  if (!upstream) throw new Error(`route ${route.prefix}: unknown upstream ${route.upstream}`);
  const forward = { timeoutMs: route.timeoutMs, connectTimeoutMs: upstream.timeouts.connectMs };
  const policy = enforceAuthPolicy(route.auth, deps.auth);
  // After auth: the count is per user or API key; a WebSocket upgrade counts as one request.
  const limit = limitRate(route, { store: deps.rateLimits, auth: deps.auth, trustedProxies: deps.trustedProxies });
  const available = requireUpstreamUp(route.upstream, deps.registry, deps.auth);
  const rewrite = prepareUpstreamRequest(route, deps.auth, deps.trustedProxies);
  const { engine } = deps;
  const http: Stage[] = [
    ...(policy ? [policy] : []),
    ...(limit ? [limit] : []),
    available,
    rewrite,
    // Last before proxying: a byte counter attached earlier would start the body
    // flowing while auth is still deciding, and those bytes would be lost.
    limitBody(route.bodyLimitBytes, deps.onBodyTooLarge),
    function proxyHttp(ctx) {
      engine.web(ctx, forward);
      return 'halt';
    },
  ];
  const ws: Stage[] = route.websocket
    ? [
        ...(policy ? [policy] : []),
        ...(limit ? [limit] : []),
        available,
        rewrite,
        function proxyWebSocket(ctx) {
          engine.ws(ctx, forward);
          return 'halt';
        },
      ]
    : [
        function refuseUpgrade() {
          throw errors.webSocketNotAllowed();
        },
      ];
  return { config: route, http, ws };
}
