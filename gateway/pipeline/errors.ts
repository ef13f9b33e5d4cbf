// The gateway's error catalogue (fastify's createError style): a stable code and
// HTTP status per failure, serialised in one place (http/respond.ts) as
// {"detail": ...} with the code in the X-Gateway-Error header.

export class GatewayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  readonly headers: Record<string, string>;
  constructor(code: string, status: number, detail: string, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.headers = options.headers ?? {};
  }
}

const BEARER = { 'www-authenticate': 'Bearer' };

/** Every error the gateway itself answers with; pinned by tests/unit/gateway/pipeline/errors.test.ts. */
export const errors = {
  badPath: (why: string) => new GatewayError('BAD_PATH', 400, `Invalid path: ${why}`),
  badRequest: (detail: string) => new GatewayError('BAD_REQUEST', 400, detail),
  /** Framing an upstream could read differently (smuggling): refused and the connection closed. */
  badFraming: (detail: string) => new GatewayError('BAD_REQUEST', 400, detail, { headers: { connection: 'close' } }),
  webSocketNotAllowed: () => new GatewayError('WEBSOCKET_NOT_ALLOWED', 400, 'WebSocket upgrades are not allowed on this route'),
  unauthorized: (detail = 'Not authenticated') => new GatewayError('UNAUTHORIZED', 401, detail, { headers: BEARER }),
  forbidden: (detail = 'Admin access required') => new GatewayError('FORBIDDEN', 403, detail),
  notFound: () => new GatewayError('NOT_FOUND', 404, 'Not Found'),
  methodNotAllowed: (allow: string[]) => new GatewayError('METHOD_NOT_ALLOWED', 405, 'Method Not Allowed', { headers: { allow: allow.join(', ') } }),
  requestTimeout: () => new GatewayError('REQUEST_TIMEOUT', 408, 'Request timeout'),
  payloadTooLarge: (limit: number) => new GatewayError('PAYLOAD_TOO_LARGE', 413, `Request body too large (limit ${limit} bytes)`),
  headersTooLarge: () => new GatewayError('HEADERS_TOO_LARGE', 431, 'Request header fields too large'),
  clientClosed: () => new GatewayError('CLIENT_CLOSED', 499, 'Client closed request'),
  internal: (cause?: unknown) => new GatewayError('INTERNAL', 500, 'Internal Server Error', { cause }),
  badGateway: (upstream: string, why: string, cause?: unknown) => new GatewayError('BAD_GATEWAY', 502, `Upstream ${upstream} ${why}`, { cause }),
  upstreamDown: (upstream: string, reason: string | null, retryAfterS: number) =>
    new GatewayError('UPSTREAM_UNAVAILABLE', 503, `Upstream ${upstream} is unavailable${reason ? `: ${reason}` : ''}`, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterS))) } }),
  shuttingDown: () => new GatewayError('SHUTTING_DOWN', 503, 'Gateway is shutting down', { headers: { 'retry-after': '1', connection: 'close' } }),
  gatewayTimeout: (upstream: string, why = 'did not answer in time') => new GatewayError('GATEWAY_TIMEOUT', 504, `Upstream ${upstream} ${why}`),
} as const;

/** Anything thrown by a stage or local handler, as a GatewayError (unknown errors are 500s). */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  // Local handlers (auth, services API) may throw their own {status, detail} errors.
  const shaped = error as { status?: unknown; statusCode?: unknown; detail?: unknown; message?: unknown; code?: unknown; headers?: unknown };
  const status = typeof shaped?.status === 'number' ? shaped.status : typeof shaped?.statusCode === 'number' ? shaped.statusCode : null;
  if (status !== null && status >= 400 && status < 600) {
    const detail = typeof shaped.detail === 'string' ? shaped.detail : typeof shaped.message === 'string' ? shaped.message : 'Error';
    const headers = shaped.headers && typeof shaped.headers === 'object' ? (shaped.headers as Record<string, string>) : undefined;
    return new GatewayError(typeof shaped.code === 'string' ? shaped.code : 'ERROR', status, detail, { cause: error, headers });
  }
  return errors.internal(error);
}
