// The proxy itself: one http-proxy-3 server for HTTP and WebSocket, a keep-alive
// agent, per-route deadlines, and error mapping. Stages call web()/ws(); nothing
// here may throw into the event loop (see http-proxy-3 issue #5 and
// node-http-proxy #1468: unhandled socket errors used to crash proxies).
import { type Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import type { RequestContext } from '../pipeline/context.ts';
import { sendError, writeErrorToSocket } from '../http/respond.ts';
import { createUpstreamAgent } from './agents.ts';
import { mapUpstreamError } from './error-map.ts';
import { completeUpgradeResponse } from '../auth/ws-handshake.ts';
import { AUTH_INVALIDATE_HEADER, parseInvalidations, type Invalidation } from '../auth/invalidation.ts';
import { isUpgraded, trackClientSocket } from './ws-close.ts';

export interface ForwardOptions {
  /** Response headers (or the 101) must arrive within this; 504 otherwise. */
  timeoutMs: number;
  connectTimeoutMs: number;
}

export interface ProxyEngineOptions {
  registry: UpstreamRegistry;
  logger: Logger;
  /** True while draining: proxied responses then carry Connection: close. */
  isDraining: () => boolean;
  /** Called once per upgrade when its outcome is known (101, refusal or error). */
  onUpgradeSettled: (ctx: RequestContext) => void;
  /** A proxied WebSocket is open (after the 101 was relayed). */
  onWebSocketOpen: (ctx: RequestContext) => void;
  onWebSocketClose: (ctx: RequestContext) => void;
  /**
   * An upstream answer revoked credentials (x-auth-invalidate). Called before the
   * answer is relayed, so the client's next request already meets fresh caches.
   */
  onAuthInvalidation?: (items: Invalidation[]) => void;
}

/** RFC 9110 token / field-value rules, as node:http's validateHeaderName/Value apply them. */
const VALID_NAME = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

// Per-request state rides on the request object under a symbol. A WeakMap keyed
// by the request looks equivalent, but V8 clears ephemeron entries only in full
// GCs, so every request's state was promoted to old space: minor GCs of 10-22 ms
// and most of the gateway's p99 under load (measured with --trace-gc).
const PENDING = Symbol('fullon.pending');
type WithPending = IncomingMessage & { [PENDING]?: Pending };

interface Pending {
  ctx: RequestContext;
  options: ForwardOptions;
  timer: NodeJS.Timeout | null;
  timedOut: boolean;
  settled: boolean;
  /** Already sent once more after a reset (at most one retry). */
  retried: boolean;
}

/**
 * A pooled keep-alive connection can be closed by the upstream at the moment we
 * reuse it (an upstream draining during a restart, an idle timeout shorter than
 * ours): the request then fails before any answer. Like Envoy's retry-on-reset
 * and nginx's proxy_next_upstream, send such a request once more — but only when
 * that cannot repeat a side effect: idempotent method, no body, nothing answered.
 */
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED']);

function mayRetry(error: Error, pending: Pending): boolean {
  const { ctx } = pending;
  const { req, res } = ctx;
  return (
    !pending.retried &&
    !pending.timedOut &&
    res !== null &&
    !res.headersSent &&
    !res.destroyed &&
    RESET_CODES.has((error as NodeJS.ErrnoException).code ?? '') &&
    RETRYABLE_METHODS.has(req.method ?? '') &&
    // http-proxy-3 itself sets content-length: 0 on bodiless OPTIONS and DELETE.
    (req.headers['content-length'] === undefined || req.headers['content-length'] === '0') &&
    req.headers['transfer-encoding'] === undefined
  );
}

export class ProxyEngine {
  readonly agent: Agent = createUpstreamAgent();
  #proxy = new ProxyServer({ xfwd: false, changeOrigin: true, ws: true });
  #options: ProxyEngineOptions;

  constructor(options: ProxyEngineOptions) {
    this.#options = options;
    const proxy = this.#proxy;
    proxy.on('proxyReq', (proxyReq, req) => this.#onUpstreamRequest(proxyReq, req));
    proxy.on('proxyReqWs', (proxyReq, req) => this.#onUpstreamRequest(proxyReq, req));
    proxy.on('proxyRes', (proxyRes, req, res) => this.#onUpstreamResponse(proxyRes, req, res as ServerResponse | undefined));
    // Fallback only: every call passes its own callback, so this should never fire.
    proxy.on('error', (error) => options.logger.warn({ err: error }, 'proxy error without a handler'));
    // The client went away and http-proxy-3 destroyed the upstream request: nothing to answer.
    proxy.on('econnreset', () => {});
  }

  web(ctx: RequestContext, options: ForwardOptions): void {
    // The client left while auth was deciding: http-proxy-3 would miss the 'close'
    // that cancels upstream requests, so do not start one.
    if (ctx.res!.destroyed) {
      ctx.status = 499;
      return;
    }
    const pending: Pending = { ctx, options, timer: null, timedOut: false, settled: false, retried: false };
    (ctx.req as WithPending)[PENDING] = pending;
    this.#forwardHttp(pending);
  }

  #forwardHttp(pending: Pending): void {
    const { ctx, options } = pending;
    this.#proxy.web(ctx.req, ctx.res!, { target: ctx.target!, agent: this.agent, connectTimeout: options.connectTimeoutMs }, (error) => this.#onError(error, pending));
  }

  ws(ctx: RequestContext, options: ForwardOptions): void {
    const socket = ctx.socket!;
    const pending: Pending = { ctx, options, timer: null, timedOut: false, settled: false, retried: false };
    (ctx.req as WithPending)[PENDING] = pending;
    trackClientSocket(socket);
    this.#proxy.ws(ctx.req, socket, ctx.head, { target: ctx.target!, connectTimeout: options.connectTimeoutMs }, (error) => this.#onError(error, pending));
  }

  close(): void {
    this.agent.destroy();
  }

  #onUpstreamRequest(proxyReq: ClientRequest, req: IncomingMessage): void {
    const pending = (req as WithPending)[PENDING];
    if (!pending) return;
    const { ctx } = pending;
    ctx.upstreamRequest = proxyReq;
    pending.timer = setTimeout(() => {
      pending.timedOut = true;
      proxyReq.destroy(Object.assign(new Error('upstream response timeout'), { code: 'EGATEWAYTIMEOUT' }));
    }, pending.options.timeoutMs);
    const clear = () => {
      if (pending.timer) clearTimeout(pending.timer);
      pending.timer = null;
    };
    proxyReq.once('response', clear);
    proxyReq.once('close', clear);
    if (ctx.isUpgrade) {
      proxyReq.once('upgrade', (res: IncomingMessage, proxySocket: Duplex) => {
        clear();
        // Runs before http-proxy-3 writes the 101 from res.headers: select "bearer" if the client authenticated that way.
        completeUpgradeResponse(ctx.req, res.headers);
        ctx.status = 101;
        this.#settleUpgrade(pending);
        this.#options.registry.reportSuccess(ctx.upstream!);
        this.#options.onWebSocketOpen(ctx);
        let closed = false;
        const onClose = () => {
          if (closed) return;
          closed = true;
          this.#options.onWebSocketClose(ctx);
        };
        ctx.socket!.once('close', onClose);
        proxySocket.once('close', onClose);
      });
      proxyReq.once('response', (res: IncomingMessage) => {
        ctx.status = res.statusCode ?? 502;
        this.#settleUpgrade(pending);
      });
    }
  }

  #onUpstreamResponse(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse | undefined): void {
    const pending = (req as WithPending)[PENDING];
    // An upstream that dies mid-body ends proxyRes without an error and pipe() would
    // leave the client waiting forever: cut the client response so it sees the failure.
    if (res) proxyRes.once('close', () => {
      if (!proxyRes.complete && !res.destroyed) res.destroy();
    });
    if (pending?.ctx.upstream) this.#options.registry.reportSuccess(pending.ctx.upstream);
    // Node's client parser accepts a few header values its server side refuses to
    // write; drop those instead of throwing inside http-proxy-3's response pass.
    const headers = proxyRes.headers;
    for (const name in headers) {
      const value = headers[name];
      if (!VALID_NAME.test(name) || (typeof value === 'string' ? INVALID_VALUE.test(value) : Array.isArray(value) && value.some((item) => INVALID_VALUE.test(item)))) delete headers[name];
    }
    // The gateway is the one CORS policy (gateway/cors): an upstream's own
    // Access-Control-* headers would contradict it, and its Vary must keep ours.
    if (res?.hasHeader('access-control-allow-origin')) {
      for (const name in headers) if (name.startsWith('access-control-')) delete headers[name];
      const vary = headers.vary;
      if (vary !== undefined && !/\borigin\b/i.test(String(vary))) headers.vary = `${String(vary)}, Origin`;
    }
        // For the gateway only: taken off before the client sees it.
    const revoked = headers[AUTH_INVALIDATE_HEADER];
    if (revoked !== undefined) {
      delete headers[AUTH_INVALIDATE_HEADER];
      const items = parseInvalidations(revoked);
      if (items.length > 0) this.#options.onAuthInvalidation?.(items);
    }
    // Draining, or the client said Connection: close / spoke HTTP/1.0 (issue 10 #5):
    // the upstream's keep-alive is not the client's.
    if (this.#options.isDraining() || (res !== undefined && !res.shouldKeepAlive)) {
      proxyRes.headers.connection = 'close';
      delete proxyRes.headers['keep-alive'];
    }
  }

  #onError(error: Error, pending: Pending): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = null;
    const { ctx } = pending;
    if (mayRetry(error, pending)) {
      pending.retried = true;
      this.#options.logger.info({ err: { message: error.message, code: (error as NodeJS.ErrnoException).code }, upstream: ctx.upstream, request_id: ctx.requestId }, 'upstream reset an idempotent request before answering; retrying once');
      this.#forwardHttp(pending);
      return;
    }
    // Already answered (413 from the body limit): the upstream was cancelled on purpose.
    if (ctx.res?.writableEnded) return;
    const upstream = ctx.upstream ?? 'unknown';
    const clientGone = ctx.res ? ctx.res.destroyed || ctx.req.socket.destroyed : Boolean(ctx.socket?.destroyed);
    const mapped = mapUpstreamError(error, { upstream, timedOut: pending.timedOut, clientGone });
    if (mapped.connectionFailure) this.#options.registry.reportConnectionError(upstream, error);
    // Logged once, on the access line (no stack: a socket error's stack says nothing).
    ctx.errorCause = { message: error.message, code: (error as NodeJS.ErrnoException).code };
    ctx.upstreamRequest?.destroy();
    if (ctx.res) {
      if (clientGone) {
        ctx.status = 499;
        ctx.errorCode = mapped.error.code;
        return;
      }
      sendError(ctx, mapped.error);
      return;
    }
    const socket = ctx.socket!;
    if (!pending.settled && !isUpgraded(socket) && !clientGone) {
      ctx.status = mapped.error.status;
      ctx.errorCode = mapped.error.code;
      writeErrorToSocket(socket, mapped.error, ctx.requestId);
    } else {
      socket.destroy();
    }
    this.#settleUpgrade(pending);
  }

  #settleUpgrade(pending: Pending): void {
    if (pending.settled) return;
    pending.settled = true;
    this.#options.onUpgradeSettled(pending.ctx);
  }
}
