// The gateway's one error catalogue (fastify's createError style, issue 10): every
// answer the gateway writes itself that is not a success comes from CATALOGUE — a
// stable code, the HTTP status, the default {"detail"} and fixed headers — and is
// serialised in one place (http/respond.ts) with the code in X-Gateway-Error.
// Handlers and stages throw these; toGatewayError() turns anything else into a 500.
// Pinned by tests/unit/gateway/pipeline/errors.test.ts.

export interface CatalogueEntry {
  readonly status: number;
  readonly detail: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** RFC 6750 §3 challenges: none of the error codes when no credential was sent. */
const BEARER = { 'www-authenticate': 'Bearer' } as const;
const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' } as const;
const INVALID_REQUEST = { 'www-authenticate': 'Bearer error="invalid_request"' } as const;
const INSUFFICIENT_SCOPE = { 'www-authenticate': 'Bearer error="insufficient_scope"' } as const;
/** The rest of the connection cannot be trusted or read: answer, then close. */
const CLOSE = { connection: 'close' } as const;

export const CATALOGUE = {
  // Malformed requests (Node's parser, the framing stage, the path normaliser).
  BAD_REQUEST: { status: 400, detail: 'Bad Request', headers: CLOSE },
  BAD_FRAMING: { status: 400, detail: 'Invalid request framing', headers: CLOSE },
  BAD_HOST: { status: 400, detail: 'Exactly one Host header required', headers: CLOSE },
  BAD_CHUNK: { status: 400, detail: 'Invalid chunked body', headers: CLOSE },
  CONNECT_NOT_SUPPORTED: { status: 400, detail: 'CONNECT is not supported', headers: CLOSE },
  PLAIN_HTTP_ON_TLS_PORT: { status: 400, detail: 'This port speaks HTTPS: the plain HTTP request was refused; use https://', headers: CLOSE },
  BAD_PATH: { status: 400, detail: 'Invalid path' },
  BODY_ABORTED: { status: 400, detail: 'Request body could not be read', headers: CLOSE },
  WEBSOCKET_ONLY: { status: 400, detail: 'Only WebSocket upgrades are supported' },
  WEBSOCKET_NOT_ALLOWED: { status: 400, detail: 'WebSocket upgrades are not allowed on this route' },
  // Authentication and authorisation (RFC 6750 challenges).
  UNAUTHORIZED: { status: 401, detail: 'Not authenticated', headers: BEARER },
  INVALID_TOKEN: { status: 401, detail: 'Invalid or expired token', headers: INVALID_TOKEN },
  INVALID_API_KEY: { status: 401, detail: 'Invalid API key', headers: BEARER },
  INVALID_CREDENTIALS: { status: 401, detail: 'Invalid credentials', headers: BEARER },
  UNSUPPORTED_SCHEME: { status: 401, detail: 'Unsupported authorization scheme', headers: BEARER },
  AMBIGUOUS_CREDENTIALS: { status: 400, detail: 'Conflicting credentials in request', headers: INVALID_REQUEST },
  FORBIDDEN: { status: 403, detail: 'Admin access required', headers: INSUFFICIENT_SCOPE },
  INVALID_QUERY: { status: 422, detail: 'Invalid query parameter' },
  VALIDATION_FAILED: { status: 422, detail: 'Validation error' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, detail: 'Unsupported media type' },
  LOGIN_THROTTLED: { status: 429, detail: 'Too many failed logins; try again later' },
  // Routing and limits.
  NOT_FOUND: { status: 404, detail: 'Not Found' },
  METHOD_NOT_ALLOWED: { status: 405, detail: 'Method Not Allowed' },
  REQUEST_TIMEOUT: { status: 408, detail: 'Request timeout', headers: CLOSE },
  PAYLOAD_TOO_LARGE: { status: 413, detail: 'Request body too large', headers: CLOSE },
  CHUNK_EXTENSIONS_TOO_LARGE: { status: 413, detail: 'Chunk extensions too large', headers: CLOSE },
  HEADERS_TOO_LARGE: { status: 431, detail: 'Request header fields too large', headers: CLOSE },
  CLIENT_CLOSED: { status: 499, detail: 'Client closed request' },
  // A route's rate_limit (docs/rate-limits.md): over it, or its store down on a route that fails closed.
  RATE_LIMITED: { status: 429, detail: 'Rate limit exceeded' },
  RATE_LIMIT_UNAVAILABLE: { status: 503, detail: 'Rate limit store unavailable', headers: { 'retry-after': '1' } },
  // Service control (the services API).
  SERVICE_NOT_FOUND: { status: 404, detail: 'Service not found' },
  SERVICE_CONFLICT: { status: 409, detail: 'Service is not in a state for this action' },
  SERVICE_START_FAILED: { status: 503, detail: 'Service failed to start' },
  // A worker's cap on open log streams (LOG_STREAMS_MAX): each holds a connection and a queue.
  LOG_STREAMS_BUSY: { status: 503, detail: 'Too many log streams are open; try again later', headers: { 'retry-after': '5' } },
  // The gateway and its upstreams.
  INTERNAL: { status: 500, detail: 'Internal Server Error' },
  BAD_GATEWAY: { status: 502, detail: 'Upstream failed' },
  UPSTREAM_UNAVAILABLE: { status: 503, detail: 'Upstream is unavailable' },
  AUTH_UPSTREAM_UNAVAILABLE: { status: 503, detail: 'Authentication service unavailable', headers: { 'retry-after': '1' } },
  SHUTTING_DOWN: { status: 503, detail: 'Gateway is shutting down', headers: { 'retry-after': '1', connection: 'close' } },
  GATEWAY_TIMEOUT: { status: 504, detail: 'Upstream did not answer in time' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof CATALOGUE;

export class GatewayError extends Error {
  readonly code: string;
  readonly status: number;
  /** Text, or FastAPI's [{loc, msg, type}] list for a 422. */
  readonly detail: string | readonly object[];
  readonly headers: Record<string, string>;
  constructor(code: string, status: number, detail: string | readonly object[], options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(typeof detail === 'string' ? detail : 'Validation error', options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.headers = options.headers ?? {};
  }
}

/** A catalogue error; `detail` replaces the default text, `headers` add to the entry's. */
export function gatewayError(code: ErrorCode, options: { detail?: string | readonly object[]; headers?: Record<string, string>; cause?: unknown } = {}): GatewayError {
  const entry: CatalogueEntry = CATALOGUE[code];
  const headers = options.headers ? { ...entry.headers, ...options.headers } : entry.headers ? { ...entry.headers } : undefined;
  return new GatewayError(code, entry.status, options.detail ?? entry.detail, { headers, cause: options.cause });
}

const retryAfter = (seconds: number) => ({ 'retry-after': String(Math.max(1, Math.ceil(seconds))) });

/** Named constructors for the entries whose detail or headers depend on the request. */
export const errors = {
  badPath: (why: string) => gatewayError('BAD_PATH', { detail: `Invalid path: ${why}` }),
  badRequest: (detail?: string) => gatewayError('BAD_REQUEST', { detail }),
  badFraming: (detail: string) => gatewayError('BAD_FRAMING', { detail }),
  badHost: (detail?: string) => gatewayError('BAD_HOST', { detail }),
  webSocketOnly: () => gatewayError('WEBSOCKET_ONLY'),
  webSocketNotAllowed: () => gatewayError('WEBSOCKET_NOT_ALLOWED'),
  unauthorized: (detail?: string) => gatewayError('UNAUTHORIZED', { detail }),
  forbidden: (detail?: string) => gatewayError('FORBIDDEN', { detail }),
  loginThrottled: (retryAfterS: number) => gatewayError('LOGIN_THROTTLED', { headers: retryAfter(retryAfterS) }),
  notFound: () => gatewayError('NOT_FOUND'),
  methodNotAllowed: (allow: string[]) => gatewayError('METHOD_NOT_ALLOWED', { headers: { allow: allow.join(', ') } }),
  requestTimeout: () => gatewayError('REQUEST_TIMEOUT'),
  payloadTooLarge: (limit?: number) => gatewayError('PAYLOAD_TOO_LARGE', { detail: limit === undefined ? undefined : `Request body too large (limit ${limit} bytes)` }),
  headersTooLarge: () => gatewayError('HEADERS_TOO_LARGE'),
  clientClosed: () => gatewayError('CLIENT_CLOSED'),
  /** `headers`: the RateLimit-Policy / RateLimit fields, which a 429 carries too. */
  rateLimited: (retryAfterS: number, headers: Record<string, string>) =>
    gatewayError('RATE_LIMITED', { detail: `Rate limit exceeded; retry in ${Math.max(1, Math.ceil(retryAfterS))} s`, headers: { ...headers, ...retryAfter(retryAfterS) } }),
  rateLimitUnavailable: () => gatewayError('RATE_LIMIT_UNAVAILABLE'),
  invalidQuery: (detail: string) => gatewayError('INVALID_QUERY', { detail }),
  invalidHeader: (detail: string) => gatewayError('VALIDATION_FAILED', { detail }),
  serviceNotFound: (name: string) => gatewayError('SERVICE_NOT_FOUND', { detail: `Service '${name}' not found` }),
  logStreamsBusy: (limit: number) => gatewayError('LOG_STREAMS_BUSY', { detail: `Too many log streams are open (at most ${limit} per gateway worker, LOG_STREAMS_MAX); try again later` }),
  internal: (cause?: unknown) => gatewayError('INTERNAL', { cause }),
  badGateway: (upstream: string, why: string, cause?: unknown) => gatewayError('BAD_GATEWAY', { detail: `Upstream ${upstream} ${why}`, cause }),
  upstreamDown: (upstream: string, reason: string | null, retryAfterS: number) =>
    gatewayError('UPSTREAM_UNAVAILABLE', { detail: `Upstream ${upstream} is unavailable${reason ? `: ${reason}` : ''}`, headers: retryAfter(retryAfterS) }),
  shuttingDown: () => gatewayError('SHUTTING_DOWN'),
  gatewayTimeout: (upstream: string, why = 'did not answer in time') => gatewayError('GATEWAY_TIMEOUT', { detail: `Upstream ${upstream} ${why}` }),
} as const;

/** Anything thrown by a stage or local handler, as a GatewayError (anything not from the catalogue is a 500). */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return errors.internal(error);
}
