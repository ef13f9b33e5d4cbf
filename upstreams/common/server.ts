// Bootstrap shared by the orm, ohlcv and cache upstreams: a fastify app whose
// every route (but /health) requires a valid gateway assertion (an anonymous one,
// sent on the gateway's `auth: public` routes, only where the route's config says
// `anonymous: true`), whose errors are
// FastAPI-shaped {"detail": ...}, which serves its OpenAPI document (openapi.ts),
// and which listens on PORT and stops on SIGTERM.
import { Server as NetServer } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ASSERTION_HEADER, AssertionError, createCallerVerifier, type Identity } from './assertion.ts';
import { loadAssertionKeys, type AssertionKeys } from './assertion-keys.ts';
import { SERVICE_GRANTS, serviceMayCall, type ServiceGrants } from './service-grants.ts';
import { mapDatabaseError } from './db-errors.ts';
import { HttpError, forbidden, unauthorized } from './errors.ts';
import { acceptEmptyJsonBodies } from './json-body.ts';
import { registerOpenApi } from './openapi.ts';
import { traceBindingsOf } from './trace.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set from the gateway assertion for every route but the public ones; null for an anonymous caller. */
    identity: Identity | null;
  }
  interface FastifyContextConfig {
    /**
     * The route answers the gateway's anonymous assertion (public market data
     * reads): identity stays null there. Every other route refuses it with 401.
     */
    anonymous?: boolean;
  }
}

/** Why an anonymous caller is refused on a route that does not allow one. */
export const SIGNED_IN_REQUIRED = 'This endpoint requires a signed-in user';

export interface UpstreamAppOptions {
  /** Upstream name; assertions must carry it as `aud`. */
  name: string;
  logger: Logger;
  /** Paths reachable without an assertion (exact match). */
  publicPaths?: string[];
  bodyLimit?: number;
  env?: NodeJS.ProcessEnv;
  /** Public keys to check assertions with; default loadAssertionKeys(env). */
  keys?: AssertionKeys;
  /** Routes other services may call here; default SERVICE_GRANTS[name]. */
  serviceGrants?: ServiceGrants;
}

export function createUpstreamApp(options: UpstreamAppOptions): FastifyInstance {
  const publicPaths = new Set(['/health', ...(options.publicPaths ?? [])]);
  const verify = createCallerVerifier({ audience: options.name, keys: options.keys ?? loadAssertionKeys(options.env) });
  const grants = options.serviceGrants ?? SERVICE_GRANTS[options.name] ?? {};
  const app = Fastify({
    // Fastify's own info lines ("Server listening at ...") would repeat our single
    // {"msg":"listening"} line: it logs warnings and errors only.
    loggerInstance: quietFastifyLogger(options.logger) as unknown as FastifyBaseLogger,
    // The gateway writes the access log; upstreams log only what goes wrong.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 8 * 1024 * 1024,
    // The gateway already normalised the path; we still refuse odd ones.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: false, maxParamLength: 500 },
    requestIdHeader: 'x-request-id',
    // Every line a request logs carries its trace id beside fastify's reqId (the
    // gateway's x-request-id): the W3C traceparent the gateway or a collector sent.
    childLoggerFactory(logger, bindings, opts, rawReq) {
      const trace = traceBindingsOf(rawReq.headers.traceparent);
      return logger.child(trace ? { ...bindings, ...trace } : bindings, opts);
    },
  });
  app.decorateRequest('identity', null);
  acceptEmptyJsonBodies(app);
  // Before any route: schemas become documentation only, and every route is recorded.
  registerOpenApi(app, { name: options.name });

  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (publicPaths.has(path)) return;
    const header = request.headers[ASSERTION_HEADER];
    let identity: Identity | null;
    try {
      identity = await verify(typeof header === 'string' ? header : undefined);
    } catch (error) {
      if (error instanceof AssertionError) throw unauthorized('Not authenticated: a valid gateway assertion is required');
      throw error;
    }
    if (identity === null) {
      // Anonymous (an `auth: public` gateway route): only routes that opted in.
      if (request.routeOptions.config?.anonymous !== true) throw unauthorized(SIGNED_IN_REQUIRED);
      return;
    }
    request.identity = identity;
    // Another service reaches only the routes this upstream granted it.
    if (identity.authMethod === 'service' && !serviceMayCall(grants, identity.service, request.method, request.routeOptions.url)) {
      throw forbidden(`Service '${identity.service}' may not call ${request.method} ${request.routeOptions.url ?? path}`);
    }
  });

  // A refused upgrade (401 from the hook above, 404...) is answered on the raw
  // socket, which Node's HTTP server no longer tracks once 'upgrade' fired: end it
  // when the answer is out, or a client that never hangs up keeps it (and
  // app.close()) open forever. Successful upgrades answer 101 and are left alone.
  app.addHook('onSend', async (request, reply) => {
    if (request.headers.upgrade !== undefined) void reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.headers.upgrade !== undefined && reply.statusCode !== 101) request.raw.socket?.end();
  });

  // LOG_LEVEL=debug: one line per answered request with its request and trace
  // ids (the gateway's access line is the record otherwise). Not even a hook at
  // other levels, so it costs nothing by default.
  if (options.logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', async (request, reply) => {
      const trace = traceBindingsOf(request.headers.traceparent);
      options.logger.debug({ reqId: request.id, ...trace, method: request.method, route: request.routeOptions.url ?? null, status: reply.statusCode }, 'request');
    });
  }

  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ detail: 'Not Found' });
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = toHttpError(error);
    if (mapped.status >= 500) request.log.error({ err: error, code: mapped.code }, 'request failed');
    void reply.code(mapped.status).headers(mapped.headers).send({ detail: mapped.detail });
  });
  return app;
}

/** A child of the process logger that never logs below warn (LOG_LEVEL may ask for less). */
function quietFastifyLogger(logger: Logger): Logger {
  return logger.child({}, { level: logger.levelVal >= 40 ? logger.level : 'warn' });
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const database = mapDatabaseError(error);
  if (database) return database;
  const fastifyError = error as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  if (fastifyError.validation) return new HttpError(422, 'VALIDATION_ERROR', [{ loc: ['request'], msg: fastifyError.message ?? 'invalid', type: 'value_error' }]);
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HttpError(413, 'BODY_TOO_LARGE', 'Request body too large');
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type');
  if (fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return new HttpError(422, 'VALIDATION_ERROR', [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }]);
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, 'BAD_REQUEST', fastifyError.message ?? 'Bad Request');
  return new HttpError(500, 'INTERNAL', 'Internal Server Error', { cause: error });
}

/** The identity of an authenticated request; routes behind the hook always have one. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw unauthorized();
  return request.identity;
}

export function requireAdmin(request: FastifyRequest): Identity {
  const identity = identityOf(request);
  if (identity.role !== 'admin') throw forbidden('Admin access required');
  return identity;
}

/**
 * Internal endpoints answer only the gateway's own service identity, or a service
 * the onRequest hook already let through for exactly this route (service-grants.ts).
 */
export function requireGateway(request: FastifyRequest): Identity {
  const identity = identityOf(request);
  if (identity.authMethod !== 'gateway' && identity.authMethod !== 'service') throw new HttpError(404, 'NOT_FOUND', 'Not Found');
  return identity;
}

export interface ListenOptions {
  app: FastifyInstance;
  logger: Logger;
  onClose?: () => Promise<void>;
  env?: NodeJS.ProcessEnv;
  /** Work the port must not open before (the orm's first admin): awaited once the app is ready, so the two overlap. */
  openAfter?: Promise<unknown> | undefined;
}

/**
 * On SIGTERM with a fixed port, a replacement already listens on it (reusePort):
 * stop accepting, keep answering kept-alive connections for this long with
 * `Connection: close` so clients move over, then close. Closing at once drops idle
 * kept-alive sockets a client may be sending on (measured: 1-2 of ~700 requests
 * per supervised restart at 200 req/s failed with 502/503 without it).
 */
export const SHUTDOWN_DRAIN_MS = 1_000;

/**
 * Listens on HOST:PORT (PORT=0 picks a free port), logs {msg: "listening", port},
 * and closes cleanly on SIGTERM/SIGINT so the supervisor's stop is graceful.
 */
export async function listenFromEnv(options: ListenOptions): Promise<number> {
  const env = options.env ?? process.env;
  const port = Number(env.PORT ?? 0);
  const host = env.HOST ?? '127.0.0.1';
  let draining = false;
  options.app.addHook('onRequest', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });
  if (options.openAfter) {
    // Compile routes and schemas while the other work runs, then open the port.
    await options.app.ready();
    await options.openAfter;
  }
  // reusePort lets a replacement process bind the same port while this one
  // drains, so the supervisor restarts an upstream without refusing connections.
  await options.app.listen({ port, host, reusePort: port !== 0 } as { port: number; host: string });
  const address = options.app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  options.logger.info({ port: bound, host }, 'listening');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    options.logger.info({ signal }, 'shutting down');
    if (port !== 0) {
      draining = true;
      // net.Server#close only stops accepting; http.Server#close would also drop idle sockets at once.
      NetServer.prototype.close.call(options.app.server);
      await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS));
    }
    await options.app.close().catch(() => {});
    await options.onClose?.().catch(() => {});
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return bound;
}
