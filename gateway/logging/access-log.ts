// One access line per request: method, path (query secrets redacted), status,
// duration, upstream, request id, trace and span id, and user id when known.
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/context.ts';

/**
 * Query parameters whose values never reach a log line, compared in lower case
 * with "-" read as "_" and a trailing "[...]" (PHP/Rails arrays) dropped, so
 * API-Key, token[] and TOKEN are caught too (issue 10 #13).
 */
const SECRET_PARAMS = new Set([
  'token', 'access_token', 'refresh_token', 'id_token', 'jwt', 'bearer', 'auth', 'authorization', 'credentials',
  'api_key', 'apikey', 'x_api_key', 'key', 'password', 'passwd', 'pwd', 'pass', 'secret', 'client_secret',
  'signature', 'sig', 'session', 'session_id', 'sessionid', 'sid', 'cookie',
]);

function isSecretParam(name: string): boolean {
  let normal = name.trim().toLowerCase().replaceAll('-', '_');
  const bracket = normal.indexOf('[');
  if (bracket > 0) normal = normal.slice(0, bracket);
  return SECRET_PARAMS.has(normal);
}

export function redactQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        /* keep raw */
      }
      return eq !== -1 && isSecretParam(name) ? `${rawName}=[redacted]` : pair;
    })
    .join('&');
}

/**
 * `startingUp`: the gateway has not been ready yet. A 503 then (a health probe, a
 * request to an upstream still starting) is the expected answer, logged at info;
 * other 5xx, and any 5xx once ready, at error.
 */
export function logAccess(logger: Logger, ctx: RequestContext, startingUp = false): void {
  const durationMs = Number(process.hrtime.bigint() - ctx.startedAt) / 1e6;
  // The path as the client sent it: a decoded %3F must not read as a query in the log.
  const rawPath = ctx.rawPath || (ctx.req.url ?? '').split('?', 1)[0]!;
  const query = ctx.rawPath ? ctx.query : '';
  const entry: Record<string, unknown> = {
    method: ctx.req.method,
    path: query ? `${rawPath}?${redactQuery(query)}` : rawPath,
    status: ctx.status,
    duration_ms: Math.round(durationMs * 100) / 100,
    request_id: ctx.requestId,
  };
  // Set before routing: only a request refused before dispatch (draining) has none.
  if (ctx.traceId !== '') {
    entry.trace_id = ctx.traceId;
    entry.span_id = ctx.spanId;
  }
  if (ctx.upstream) entry.upstream = ctx.upstream;
  if (ctx.user) entry.user_id = ctx.user.userId;
  if (ctx.errorCode) entry.error = ctx.errorCode;
  // pino's err serializer: message, code and stack of what caused a 5xx.
  if (ctx.errorCause) entry.err = ctx.errorCause;
  if (ctx.isUpgrade) entry.websocket = true;
  const level = ctx.status >= 500 && !(startingUp && ctx.status === 503) ? 'error' : 'info';
  logger[level](entry, 'request');
}
