// One access line per request: method, path (query secrets redacted), status,
// duration, upstream, request id and user id when known.
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/context.ts';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /^(token|access_token|refresh_token|id_token|api_key|apikey|key|password|passwd|secret|client_secret|signature|sig)$/i;

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
      return SECRET_PARAMS.test(name.trim()) && eq !== -1 ? `${rawName}=[redacted]` : pair;
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
  if (ctx.upstream) entry.upstream = ctx.upstream;
  if (ctx.user) entry.user_id = ctx.user.userId;
  if (ctx.errorCode) entry.error = ctx.errorCode;
  if (ctx.isUpgrade) entry.websocket = true;
  const level = ctx.status >= 500 && !(startingUp && ctx.status === 503) ? 'error' : 'info';
  logger[level](entry, 'request');
}
