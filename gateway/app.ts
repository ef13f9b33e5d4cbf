// Assembles the gateway: HTTP server + entry stages + local routes + the swappable
// route table + the proxy engine. main.ts wires it to settings, auth, supervisor
// and signals; tests build it directly with stubs.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { constants, type Http2ServerRequest } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { EdgeAuth } from './auth/types.ts';
import type { Invalidation } from './auth/invalidation.ts';
import { watchCredentialExpiry } from './auth/ws-handshake.ts';
import type { GatewayConfig } from './config/types.ts';
import type { GatewaySettings } from './config/settings.ts';
import type { GatewayLifecycle } from './http/lifecycle.ts';
import { sendError, sendJson } from './http/respond.ts';
import { adaptHttp2Request, armBodyDeadline, headerBlockSize } from './http/h2-request.ts';
import { createGatewayServer, type GatewayServer } from './http/server.ts';
import type { TlsSource } from './http/secure-server.ts';
import { createAccessLog } from './logging/access-log.ts';
import { createContext, type LocalRoute, type RequestContext, type Stage } from './pipeline/context.ts';
import { errors, toGatewayError } from './pipeline/errors.ts';
import { LocalRouter } from './pipeline/local-router.ts';
import { buildRouteTable, type RouteTable } from './pipeline/route-table.ts';
import { runStages, type StagesResult } from './pipeline/run-stages.ts';
import { enforceAuthPolicy } from './pipeline/stages/auth-policy.ts';
import { limitBody } from './pipeline/stages/body-limit.ts';
import { checkRequestFraming } from './pipeline/stages/request-framing.ts';
import { normalisePath } from './pipeline/stages/normalise-path.ts';
import { assignRequestId } from './pipeline/stages/request-id.ts';
import { createTraceStage } from './pipeline/stages/trace-context.ts';
import { ProxyEngine } from './proxy/engine.ts';
import { createCorsStage } from './cors/cors-stage.ts';
import { closeSocket } from './proxy/ws-close.ts';
import type { UpstreamRegistry } from './registry/upstream-registry.ts';
import type { GatewayMetrics } from './metrics/gateway-metrics.ts';
import type { SpanExport } from './tracing/span-export.ts';
import { RateLimitStore } from './ratelimit/store.ts';

export interface GatewayOptions {
  settings: GatewaySettings;
  config: GatewayConfig;
  registry: UpstreamRegistry;
  auth: EdgeAuth;
  /** Endpoints the gateway answers itself, matched before proxy routes. */
  localRoutes?: LocalRoute[];
  lifecycle: GatewayLifecycle;
  logger: Logger;
  /** A proxied WebSocket opened (auth uses it to schedule a 1008 close at token expiry). */
  onWebSocketOpen?: (ctx: RequestContext) => void;
  onWebSocketClose?: (ctx: RequestContext) => void;
  /** Credentials an upstream answer revoked, after this gateway applied them (main.ts publishes them to the replicas). */
  onAuthInvalidation?: (items: Invalidation[]) => void;
  /** Prometheus metrics (gateway/metrics): recorded at the access-log point; absent in tests that do not need them. */
  metrics?: GatewayMetrics;
  /** The certificate store: the listener speaks HTTPS (HTTP/2 and HTTP/1.1, http/secure-server.ts); absent: plain HTTP/1.1. */
  tls?: TlsSource | null;
  /** Strict-Transport-Security value for every answer over TLS (gateway/tls/hsts.ts); null: none. */
  hsts?: string | null;
  /** New traces start sampled (traceparent flag 01): true when spans are exported over OTLP. */
  sampleNewTraces?: boolean;
  /** OTLP span export (gateway/tracing/span-export.ts), when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  spans?: Pick<SpanExport, 'record'>;
  /** Where route rate limits count; absent: this process's memory. the worker passes the Redis-backed one when REDIS_URL is set. */
  rateLimits?: RateLimitStore;
}

export interface Gateway {
  readonly server: GatewayServer;
  readonly engine: ProxyEngine;
  /**
   * Listens on settings.host:port (0 = free port), logs {"msg":"listening","port"}
   * (or `message`: a cluster worker says "worker listening", the primary says
   * "listening" once for the pool); resolves the port.
   */
  listen(options?: { message?: string }): Promise<number>;
  /** Swaps in a new route table built from config; in-flight requests keep theirs. */
  applyConfig(config: GatewayConfig): void;
  /** Builds the route table for `config` (may throw) and returns the swap, which cannot fail (reload-transaction.ts). */
  prepareConfig(config: GatewayConfig): () => void;
  currentConfig(): GatewayConfig;
  addLocalRoutes(routes: LocalRoute[]): void;
  /** Applies revocation events that came from elsewhere (other replicas, the orm's stream). */
  revoke(items: readonly Invalidation[]): void;
    /** The gateway's own endpoints, as registered (the OpenAPI document lists them). */
  localRoutes(): readonly LocalRoute[];
  /** Open proxied WebSockets (their request contexts). */
  webSockets(): ReadonlySet<RequestContext>;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Drain: stop accepting, close WebSockets with 1001, wait for in-flight up to graceMs, then cut the rest. */
  close(graceMs?: number): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { settings, registry, auth, lifecycle, logger } = options;
  const server = createGatewayServer(settings, logger, options.tls ?? null);
  // Only over TLS: browsers ignore HSTS on plain HTTP (RFC 6797 §8.1).
  const hsts = options.tls ? (options.hsts ?? null) : null;
  // Access lines are built field by field from data already redacted (query
  // secrets) and carry no headers, so they skip pino's redaction pass.
  const logAccess = createAccessLog(logger.child({}, { redact: { paths: [] } }));
  // The access line is the one record of a 5xx (with its cause), so it is written
  // for 5xx even when access logging is off (issue 10: each 5xx logged once).
  const metrics = options.metrics;
  const spans = options.spans;
  const access = (ctx: RequestContext) => {
    // The request's fields are final here: the one place a request is counted (and its span recorded).
    metrics?.recordRequest(ctx);
    spans?.record(ctx);
    if (settings.accessLog || ctx.status >= 500) logAccess(ctx, !lifecycle.ready);
  };
  const sockets = new Set<RequestContext>();
  /** Open streamed local answers (log streams) and how to end each: they end with the credentials they were opened with. */
  const streams = new Map<RequestContext, (reason: string) => void>();
  function watchStream(ctx: RequestContext, end: (reason: string) => void): void {
    streams.set(ctx, end);
    const stopWatching = ctx.user ? watchCredentialExpiry(ctx.user, () => end('credentials expired')) : () => {};
    ctx.res!.once('close', () => {
      streams.delete(ctx);
      stopWatching();
    });
  }
  const engine = new ProxyEngine({
    registry,
    logger,
    isDraining: () => lifecycle.draining,
    onUpgradeSettled: access,
    onWebSocketOpen: (ctx) => {
      sockets.add(ctx);
      options.onWebSocketOpen?.(ctx);
    },
    onWebSocketClose: (ctx) => {
      sockets.delete(ctx);
      options.onWebSocketClose?.(ctx);
      onSettled();
    },
    onAuthInvalidation: (items) => {
      // This gateway first (synchronously, before the answer goes out), then the replicas.
      revoke(items);
      options.onAuthInvalidation?.(items);
    },
  });
  const deps = {
    auth,
    registry,
    engine,
    trustedProxies: settings.trustedProxies,
    rateLimits: options.rateLimits ?? new RateLimitStore({ logger }),
    onBodyTooLarge: (ctx: RequestContext) => {
      // Runs inside a 'data' listener: it must never throw.
      if (ctx.res && !ctx.res.headersSent && ctx.req.httpVersionMajor !== 2) ctx.res.setHeader('connection', 'close');
      sendError(ctx, errors.payloadTooLarge(ctx.route?.bodyLimitBytes ?? 0));
      ctx.upstreamRequest?.destroy();
      ctx.req.unpipe();
      // Keep reading (and discarding) so the client gets to see the 413.
      ctx.req.resume();
    },
  };
  /**
   * A revocation event (from an upstream answer, a replica or the orm's stream):
   * caches first, then every open WebSocket of that user or key is checked and
   * closed with 1008 when its credentials no longer hold.
   */
  function revoke(items: readonly Invalidation[]): void {
    auth.invalidate?.(items);
    // A stream answers its opener's credentials as they were at the start (an admin's, for
    // the log streams): any revocation naming them ends it; a client still entitled reconnects
    // and is checked again.
    for (const [ctx, end] of streams) {
      const user = ctx.user;
      if (user && items.some((item) => (item.kind === 'user' ? item.id === user.userId : item.id === user.apiKeyId))) end('credentials revoked');
    }
    if (!auth.stillAuthorized) return;
    for (const ctx of sockets) {
      const user = ctx.user;
      if (!user) continue;
      for (const item of items) {
        if (item.kind === 'user' ? item.id !== user.userId : item.id !== user.apiKeyId) continue;
        void auth.stillAuthorized(user, item).then(
          (ok) => void (ok || closeSocket(ctx, 1008, 'credentials revoked')),
          () => {},
        );
      }
    }
  }
  const applyCors = createCorsStage(settings.cors);
  const assignTrace = createTraceStage(options.sampleNewTraces ?? false);
  let table: RouteTable = buildRouteTable(options.config, deps);
  metrics?.prepareRoutes(options.config.routes);
  const local = new LocalRouter();
  const localStages = new Map<LocalRoute, readonly Stage[]>();
  const addLocalRoutes = (routes: LocalRoute[]) => {
    local.add(routes);
    for (const route of routes) {
      const policy = enforceAuthPolicy(route.auth, auth);
      localStages.set(route, [limitBody(settings.localBodyLimitBytes, (ctx) => ctx.req.destroy()), ...(policy ? [policy] : []), (ctx) => answerLocal(ctx, watchStream)]);
    }
  };
  addLocalRoutes(options.localRoutes ?? []);

  let active = 0;
  let settledWaiters: Array<() => void> = [];
  function onSettled(): void {
    if (!lifecycle.draining) return;
    server.closeIdleConnections();
    if (active === 0 && sockets.size === 0) for (const wake of settledWaiters.splice(0)) wake();
  }

  /** Entry: request id, path, then a local handler or the matched route's stage list (sync until a stage is async). */
  function dispatch(ctx: RequestContext): StagesResult {
    assignRequestId(ctx);
    assignTrace(ctx);
    checkRequestFraming(ctx);
    // Before routing and auth: a preflight never needs credentials.
    if (applyCors(ctx) === 'halt') return 'halt';
    normalisePath(ctx);
    const method = ctx.req.method ?? 'GET';
    const localMatch = local.match(method, ctx.path);
    if (localMatch?.kind === 'route') {
      if (ctx.isUpgrade) throw errors.webSocketNotAllowed();
      ctx.local = localMatch.route;
      ctx.params = localMatch.params;
      return runStages(localStages.get(localMatch.route)!, ctx);
    }
    if (localMatch?.kind === 'method') throw errors.methodNotAllowed(localMatch.allow);
    const route = table.match(ctx.path);
    if (!route) throw errors.notFound();
    ctx.route = route.config;
    return runStages(ctx.isUpgrade ? route.ws : route.http, ctx);
  }

  /** Runs dispatch; any throw or rejection becomes the error answer. */
  function dispatchSafely(ctx: RequestContext, onError: (error: unknown) => void): void {
    let result: StagesResult;
    try {
      result = dispatch(ctx);
    } catch (error) {
      onError(error);
      return;
    }
    if (result !== undefined && result !== 'halt') result.then(undefined, onError);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const ctx = createContext(req, res, null, null);
    active++;
    // HTTP/2 drains with GOAWAY (server.closeIdleConnections), not a Connection header.
    const http2 = req.httpVersionMajor === 2;
    if (lifecycle.draining && !http2) res.setHeader('connection', 'close');
    if (hsts) res.setHeader('strict-transport-security', hsts);
    res.once('close', () => {
      active--;
      ctx.status = res.writableFinished ? res.statusCode : ctx.status >= 400 ? ctx.status : 499;
      access(ctx);
      onSettled();
    });
    if (http2) {
      // The HTTP/1.1 view of the request (pseudo-headers out, Host from :authority), and HTTP/1.1's 431.
      const h2 = req as unknown as Http2ServerRequest;
      adaptHttp2Request(h2);
      if (headerBlockSize(h2) > settings.maxHeaderBytes) return void sendError(ctx, errors.headersTooLarge());
      armBodyDeadline(h2, settings.requestTimeoutMs, () => {
        ctx.upstreamRequest?.destroy();
        if (!res.headersSent) sendError(ctx, errors.requestTimeout());
        // The rest of the body is not wanted: end the stream both ways.
        h2.stream.close(constants.NGHTTP2_NO_ERROR);
      });
    }
    dispatchSafely(ctx, (error) => {
      const failure = toGatewayError(error);
      if (failure.status >= 500) ctx.errorCause = failure.cause ?? null;
      sendError(ctx, failure);
    });
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Error handler first: a reset during the handshake must not become an uncaught 'error'.
    socket.on('error', (error) => logger.debug({ err: error }, 'client socket error'));
    const ctx = createContext(req, null, socket, head);
    if (lifecycle.draining) {
      sendError(ctx, errors.shuttingDown());
      access(ctx);
      return;
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      sendError(ctx, errors.webSocketOnly());
      access(ctx);
      return;
    }
    dispatchSafely(ctx, (error) => {
      const failure = toGatewayError(error);
      if (failure.status >= 500) ctx.errorCause = failure.cause ?? null;
      sendError(ctx, failure);
      access(ctx);
    });
  }

  // With allowHTTP1 the secure server hands HTTP/1.1 requests over as node:http's
  // objects and HTTP/2 ones as the compatibility API's, which has every member the
  // pipeline uses (onRequest adapts the headers): one handler for both.
  (server as Server).on('request', onRequest);
  (server as Server).on('upgrade', onUpgrade);

  function prepareConfig(config: GatewayConfig): () => void {
    // Build first: a table that fails to compile must leave the running one in place.
    const next = buildRouteTable(config, deps);
    return () => {
      table = next;
      metrics?.prepareRoutes(config.routes);
    };
  }

  return {
    server,
    engine,
    async listen(listenOptions) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(settings.port, settings.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : settings.port;
      logger.info({ port, host: settings.host }, listenOptions?.message ?? 'listening');
      return port;
    },
    applyConfig(config) {
      prepareConfig(config)();
    },
    prepareConfig,
    currentConfig: () => table.config,
    addLocalRoutes,
    localRoutes: () => local.routes(),
    revoke,
    webSockets: () => sockets,
    inFlight: () => active,
    async close(graceMs = settings.shutdownGraceMs) {
      lifecycle.beginDrain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const ctx of sockets) closeSocket(ctx, 1001, 'Gateway shutting down');
      server.closeIdleConnections();
      const settled = active === 0 && sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => settledWaiters.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const outcome = await Promise.race([settled, graceOver]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.warn({ in_flight: active, websockets: sockets.size }, 'shutdown grace over, closing remaining connections');
        for (const ctx of sockets) ctx.socket?.destroy();
      }
      server.closeAllConnections();
      await closed;
      engine.close();
      settledWaiters = [];
    },
  };
}

async function answerLocal(ctx: RequestContext, watchStream: (ctx: RequestContext, end: (reason: string) => void) => void): Promise<'halt'> {
  const response = await ctx.local!.handle(ctx, ctx.params);
  if (response.status === 204 || response.status === 304) {
    ctx.status = response.status;
    ctx.res!.writeHead(response.status, { ...response.headers, ...ctx.responseHeaders }).end();
    return 'halt';
  }
  if (response.stream) {
    ctx.status = response.status;
    const res = ctx.res!;
    res.writeHead(response.status, { ...response.headers, ...ctx.responseHeaders });
    if (ctx.req.method === 'HEAD') {
      response.stream.cancel();
      res.end();
    } else {
      const stream = response.stream;
      stream.pipe(res);
      watchStream(ctx, (reason) => stream.end(reason));
    }
    return 'halt';
  }
  if (response.raw) {
    ctx.status = response.status;
    const res = ctx.res!;
    res.writeHead(response.status, {
      ...response.headers,
      'content-type': response.raw.contentType,
      'content-length': Buffer.byteLength(response.raw.data),
      ...ctx.responseHeaders,
    });
    res.end(ctx.req.method === 'HEAD' ? undefined : response.raw.data);
    return 'halt';
  }
  sendJson(ctx, response.status, response.body, response.headers ?? {});
  return 'halt';
}
