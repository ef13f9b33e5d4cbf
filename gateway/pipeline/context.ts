// The one typed object a request carries through the gateway's stages. HTTP and
// WebSocket share it; `res` is absent on upgrades (the raw socket is in `socket`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuthenticatedUser } from '../auth/types.ts';
import type { RouteConfig } from '../config/types.ts';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse | null;
  socket: Duplex | null;
  head: Buffer | null;
  requestId: string;
  /** W3C trace context (gateway/tracing/trace-context.ts): the trace, the gateway's span for this request, the client's parent span ('' when the trace started here). */
  traceId: string;
  spanId: string;
  parentSpanId: string;
  /** '01' sampled, '00' not. */
  traceFlags: string;
  /** Validated tracestate to forward, or ''. */
  traceState: string;
  /** process.hrtime.bigint() at arrival, for the access log. */
  startedAt: bigint;
  /** Path for matching: segments decoded once, "%" and "/" inside a segment kept escaped (paths.ts). */
  path: string;
  /** The path as the client sent it (normalised "//"), what goes upstream after the rewrite. */
  rawPath: string;
  /** Raw query string without "?", possibly empty. */
  query: string;
  route: RouteConfig | null;
  user: AuthenticatedUser | null;
  /** Upstream name the request went to, for the access log. */
  upstream: string | null;
  /** Status sent to the client (also for upgrades: 101 or the refusal). */
  status: number;
  /** True for WebSocket upgrade requests. */
  isUpgrade: boolean;
  /** The TCP peer address (before any X-Forwarded-For). */
  clientAddress: string;
  /** The matched local handler and its :params, when the gateway answers itself. */
  local: LocalRoute | null;
  params: Record<string, string>;
  /** Path + query sent upstream (encoded), set by the rewrite stage. */
  forwardUrl: string;
  /** Stable code of the error the gateway answered with, for the access log. */
  errorCode: string | null;
  /** Why a 5xx happened (the upstream's socket error, a handler's exception): logged once, on the access line. */
  errorCause: unknown;
  /** Base URL of the upstream, read from the registry for this request. */
  target: URL | null;
  /**
   * The gateway's own headers for the answer, whoever writes it (x-request-id,
   * traceresponse). Kept here, not set on res: a proxied answer's head then goes
   * to writeHead as one object (proxy/response-headers.ts); every other writer
   * sets them on res (http/respond.ts applyResponseHeaders).
   */
  responseHeaders: Record<string, string>;
  /** The in-flight upstream request (an undici exchange, or http-proxy-3's ClientRequest for upgrades), so a limit or a disconnect can cancel it. */
  upstreamRequest: { destroy(error?: Error): unknown } | null;
}

/** A stage returns "halt" once it has answered the request itself. */
export type Stage = (ctx: RequestContext) => void | 'halt' | Promise<void | 'halt'>;

/** A handler the gateway answers itself (health, services API, auth endpoints). */
export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Exact path, or a pattern with :params, e.g. "/api/v1/services/:name/status". */
  path: string;
  auth: 'public' | 'user' | 'admin';
  handle(ctx: RequestContext, params: Record<string, string>): Promise<LocalResponse> | LocalResponse;
}

export interface LocalResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as it is instead of `body` as JSON (the /docs page and its assets). */
  raw?: { contentType: string; data: string | Buffer };
  /**
   * A streamed answer (Server-Sent Events): after the status and headers,
   * `pipe` owns the response until it ends; `cancel` when it will not be
   * called (a HEAD request), to release what the handler set up.
   */
  stream?: {
    pipe(res: ServerResponse): void;
    cancel(): void;
    /** Ends an open stream with a last word (the caller's credentials expired or were revoked). */
    end(reason: string): void;
  };
}

export function createContext(req: IncomingMessage, res: ServerResponse | null, socket: Duplex | null, head: Buffer | null): RequestContext {
  return {
    req,
    res,
    socket,
    head,
    requestId: '',
    traceId: '',
    spanId: '',
    parentSpanId: '',
    traceFlags: '00',
    traceState: '',
    startedAt: process.hrtime.bigint(),
    path: '',
    rawPath: '',
    query: '',
    route: null,
    user: null,
    upstream: null,
    status: 0,
    isUpgrade: res === null,
    clientAddress: req.socket.remoteAddress ?? '',
    local: null,
    params: {},
    forwardUrl: '',
    errorCode: null,
    errorCause: null,
    target: null,
    responseHeaders: {},
    upstreamRequest: null,
  };
}
