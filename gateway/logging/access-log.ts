// One access line per request: method, path (query secrets redacted), status,
// duration, upstream, request id, trace and span id, and user id when known.
import { pino, type Logger } from 'pino';
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

export type AccessLog = (ctx: RequestContext, startingUp?: boolean) => void;

/**
 * The access log of one logger, its line writer set up once (at start-up, not per
 * request). `startingUp`: the gateway has not been ready yet. A 503 then (a health
 * probe, a request to an upstream still starting) is the expected answer, logged at
 * info; other 5xx, and any 5xx once ready, at error.
 */
export function createAccessLog(logger: Logger): AccessLog {
  const line = accessLineWriter(logger);
  return (ctx, startingUp = false) => logAccess(logger, line, ctx, startingUp);
}

function logAccess(logger: Logger, line: AccessLineWriter | null, ctx: RequestContext, startingUp: boolean): void {
  const level = ctx.status >= 500 && !(startingUp && ctx.status === 503) ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const durationMs = Math.round((Number(process.hrtime.bigint() - ctx.startedAt) / 1e6) * 100) / 100;
  // The path as the client sent it: a decoded %3F must not read as a query in the log.
  const rawPath = ctx.rawPath || (ctx.req.url ?? '').split('?', 1)[0]!;
  const query = ctx.rawPath ? ctx.query : '';
  const path = query ? `${rawPath}?${redactQuery(query)}` : rawPath;
  // A cause goes through pino's err serializer (message, code, stack): the rare line.
  if (line !== null && !ctx.errorCause) return line(level, ctx, path, durationMs);
  const entry: Record<string, unknown> = { method: ctx.req.method, path, status: ctx.status, duration_ms: durationMs, request_id: ctx.requestId };
  // Set before routing: only a request refused before dispatch (draining) has none.
  if (ctx.traceId !== '') {
    entry.trace_id = ctx.traceId;
    entry.span_id = ctx.spanId;
  }
  if (ctx.upstream) entry.upstream = ctx.upstream;
  if (ctx.user) entry.user_id = ctx.user.userId;
  if (ctx.errorCode) entry.error = ctx.errorCode;
  if (ctx.errorCause) entry.err = ctx.errorCause;
  if (ctx.isUpgrade) entry.websocket = true;
  logger[level](entry, 'request');
}

type AccessLineWriter = (level: 'info' | 'error', ctx: RequestContext, path: string, durationMs: number) => void;

/**
 * The access line is written once per request, and pino's generic pass over it
 * (mixin merge, a serializer lookup and a stringifier per key) was about a tenth
 * of the gateway's CPU per small request (docs/benchmarks.md). Its fields are
 * known, so the line is put together here: the same bytes, in the same order, as
 * pino writes for it (tests/unit/gateway/logging/access-log.test.ts compares
 * them), through the logger's own destination. null when the logger is set up in
 * a way this does not reproduce (formatters, hooks, a message prefix): pino then.
 */
function accessLineWriter(logger: Logger): AccessLineWriter | null {
  const s = pino.symbols;
  const internals = logger as unknown as Record<symbol, unknown>;
  const levels = internals[s.lsCacheSym] as Record<number, string> | undefined;
  const stream = internals[s.streamSym] as { write?: (line: string) => unknown } | undefined;
  const chindings = internals[s.chindingsSym];
  const end = internals[s.endSym];
  const formatters = internals[s.formattersSym] as { log?: unknown } | undefined;
  const hooks = internals[s.hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const mixin = internals[s.mixinSym] as (() => unknown) | undefined;
  const usable =
    levels?.[30] !== undefined && levels[50] !== undefined && typeof stream?.write === 'function' && typeof chindings === 'string' && typeof end === 'string' &&
    internals[s.messageKeySym] === 'msg' && noMessagePrefix(internals) && formatters?.log === undefined && hooks?.logMethod === undefined && hooks?.streamWrite === undefined;
  if (!usable) return null;
  // The logger's mixin (createGatewayLogger: service and pid) is constant: its fields are rendered once.
  const fixed = chindings + (mixin ? renderFields(mixin()) : '');
  const out = stream as { write: (line: string) => unknown };
  const head = { info: levels[30]!, error: levels[50]! };
  return (level, ctx, path, durationMs) => {
    const method = ctx.req.method === undefined ? '' : `,"method":${jsonString(ctx.req.method)}`;
    let line = `${head[level]},"time":${Date.now()}${fixed}${method},"path":${jsonString(path)},"status":${ctx.status},"duration_ms":${durationMs},"request_id":${jsonString(ctx.requestId)}`;
    if (ctx.traceId !== '') line += `,"trace_id":${jsonString(ctx.traceId)},"span_id":${jsonString(ctx.spanId)}`;
    if (ctx.upstream) line += `,"upstream":${jsonString(ctx.upstream)}`;
    if (ctx.user) line += `,"user_id":${JSON.stringify(ctx.user.userId)}`;
    if (ctx.errorCode) line += `,"error":${jsonString(ctx.errorCode)}`;
    if (ctx.isUpgrade) line += ',"websocket":true';
    out.write(`${line},"msg":"request"${end}`);
  };
}

/**
 * JSON.stringify(text), byte for byte, without its call for the usual field
 * (printable ASCII without a quote or backslash: nothing to escape), which is
 * about half the cost; anything else goes through JSON.stringify.
 */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return JSON.stringify(text);
  }
  return `"${text}"`;
}

function noMessagePrefix(internals: Record<symbol, unknown>): boolean {
  // Not in pino's typings; absent in versions without message prefixes.
  const symbol = (pino.symbols as unknown as Record<string, symbol | undefined>).msgPrefixSym;
  return symbol === undefined || internals[symbol] === undefined;
}

/** `,"key":value` for each field of a flat object of strings, numbers and booleans, as pino renders them. */
function renderFields(fields: unknown): string {
  if (fields === null || typeof fields !== 'object') return '';
  let out = '';
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return out;
}
