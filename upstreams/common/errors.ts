// Error catalogue shared by every upstream: one class with a stable code and an
// HTTP status, serialised in one place (server.ts) as FastAPI's {"detail": ...}.
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, detail: unknown, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(typeof detail === 'string' ? detail : code, { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (detail: string) => new HttpError(400, 'BAD_REQUEST', detail);
export const unauthorized = (detail = 'Not authenticated') =>
  new HttpError(401, 'UNAUTHORIZED', detail, { headers: { 'www-authenticate': 'Bearer' } });
export const forbidden = (detail = 'Forbidden') => new HttpError(403, 'FORBIDDEN', detail);
export const notFound = (detail = 'Not Found') => new HttpError(404, 'NOT_FOUND', detail);
export const conflict = (detail: string) => new HttpError(409, 'CONFLICT', detail);
export const unprocessable = (detail: unknown) => new HttpError(422, 'VALIDATION_ERROR', detail);
export const serviceUnavailable = (detail: string, cause?: unknown) =>
  new HttpError(503, 'SERVICE_UNAVAILABLE', detail, { cause, headers: { 'retry-after': '1' } });
