// Forwards one HTTP request to its upstream over that upstream's undici Pool
// (upstream-pools.ts) and relays the answer: the route deadline (504), the
// client hanging up (cancels the upstream request, 499), an upstream dying
// mid-body (the client response is cut, never ended as if complete), one retry
// of a bodiless idempotent request reset before any answer, and the error map
// (error-map.ts). Works on node:http's ServerResponse and on the HTTP/2
// compatibility response alike: it uses only what both have.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Client, Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Invalidation } from '../auth/invalidation.ts';
import { sendError } from '../http/respond.ts';
import type { RequestContext } from '../pipeline/context.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import { Deadlines, type Deadline, type Expirable } from './deadlines.ts';
import { mapUpstreamError } from './error-map.ts';
import { relayResponseHeaders, writeRelayedHead } from './response-headers.ts';
import { requestBody } from './request-body.ts';
import type { UpstreamConnections, UpstreamPools } from './upstream-pools.ts';

export interface ForwardOptions {
  /** Response headers (or the 101) must arrive within this; 504 otherwise. */
  timeoutMs: number;
  connectTimeoutMs: number;
}

export interface HttpForwarderOptions {
  pools: UpstreamPools;
  registry: UpstreamRegistry;
  logger: Logger;
  isDraining: () => boolean;
  onAuthInvalidation?: (items: Invalidation[]) => void;
}

/**
 * A pooled keep-alive connection can be closed by the upstream at the moment we
 * reuse it (an upstream draining during a restart, an idle timeout shorter than
 * ours): the request then fails before any answer. Like Envoy's retry-on-reset
 * and nginx's proxy_next_upstream, send such a request once more — but only when
 * that cannot repeat a side effect: idempotent method, no body, nothing answered.
 */
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** undici reports "other side closed" as UND_ERR_SOCKET; a reset while writing keeps its errno. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'UND_ERR_SOCKET']);

const timeoutError = () => Object.assign(new Error('upstream response timeout'), { code: 'EGATEWAYTIMEOUT' });
const clientGoneError = () => Object.assign(new Error('client closed the request'), { code: 'ECLIENTGONE' });

export class HttpForwarder {
  readonly #options: HttpForwarderOptions;
  /** Every exchange's deadline (ForwardOptions.timeoutMs). */
  readonly deadlines = new Deadlines();

  constructor(options: HttpForwarderOptions) {
    this.#options = options;
  }

  forward(ctx: RequestContext, options: ForwardOptions): void {
    const res = ctx.res!;
    // The client left while auth was deciding: do not start an upstream request.
    if (res.destroyed) {
      ctx.status = 499;
      return;
    }
    const exchange = new Exchange(this, ctx, options);
    ctx.upstreamRequest = exchange;
    // The client hung up before the answer was complete: cancel the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) exchange.destroy(clientGoneError());
    });
    this.dispatch(exchange);
  }

  dispatch(exchange: Exchange): void {
    const { ctx, options } = exchange;
    const { req } = ctx;
    const target = ctx.target!;
    const headers = req.headers;
    // changeOrigin: the upstream sees its own authority; the client's is in X-Forwarded-Host.
    headers.host = target.host;
    const body = exchange.hasBody ? requestBody(req) : null;
    // undici frames a streamed body itself (and refuses a transfer-encoding header).
    if (body !== null) delete headers['transfer-encoding'];
    const connections = this.#options.pools.get(ctx.upstream ?? target.origin, target, options.connectTimeoutMs);
    exchange.start(connections);
    exchange.client!.dispatch({ path: req.url ?? '/', method: req.method ?? 'GET', headers: headers as Record<string, string>, body }, exchange);
  }

  /** The upstream answered: headers onto the client response (once per exchange). */
  relayHead(exchange: Exchange, statusCode: number, headers: IncomingHttpHeaders, statusMessage: string | undefined): void {
    const { ctx } = exchange;
    const res = ctx.res!;
    if (ctx.upstream) this.#options.registry.reportSuccess(ctx.upstream);
    const relayed = relayResponseHeaders(res, ctx.responseHeaders, headers, ctx.req.headers.origin !== undefined);
    // Before the answer goes out, so the client's next request meets fresh caches.
    if (relayed.invalidations !== null) this.#options.onAuthInvalidation?.(relayed.invalidations);
    const http1 = ctx.req.httpVersionMajor === 1;
    // Draining: the client must open a new connection (elsewhere) for its next request.
    if (http1 && this.#options.isDraining()) relayed.headers.connection = 'close';
    ctx.status = statusCode;
    writeRelayedHead(res, statusCode, http1 ? statusMessage : undefined, relayed.headers);
  }

  /** Any failure of an exchange: retry once, or the mapped answer (or 499 / a cut response). */
  fail(exchange: Exchange, error: Error): void {
    const { ctx } = exchange;
    const res = ctx.res!;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (this.#mayRetry(exchange, code)) {
      exchange.retried = true;
      this.#options.logger.info({ err: { message: error.message, code }, upstream: ctx.upstream, request_id: ctx.requestId }, 'upstream reset an idempotent request before answering; retrying once');
      this.dispatch(exchange);
      return;
    }
    // Already answered (413 from the body limit): the upstream was cancelled on purpose.
    if (res.writableEnded) return;
    // An upstream that dies mid-body: cut the client response so it sees the failure.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const upstream = ctx.upstream ?? 'unknown';
    const clientGone = code === 'ECLIENTGONE' || res.destroyed || Boolean(ctx.req.socket?.destroyed);
    const mapped = mapUpstreamError(error, { upstream, timedOut: exchange.timedOut, clientGone });
    if (mapped.connectionFailure) this.#options.registry.reportConnectionError(upstream, error);
    // Logged once, on the access line (no stack: a socket error's stack says nothing).
    ctx.errorCause = { message: error.message, code: code || undefined };
    if (clientGone) {
      ctx.status = 499;
      ctx.errorCode = mapped.error.code;
      return;
    }
    sendError(ctx, mapped.error);
  }

  #mayRetry(exchange: Exchange, code: string): boolean {
    const { ctx } = exchange;
    const res = ctx.res!;
    return !exchange.retried && !exchange.timedOut && !exchange.hasBody && !res.headersSent && !res.destroyed && RESET_CODES.has(code) && RETRYABLE_METHODS.has(ctx.req.method ?? '');
  }
}

/** True when the request carries a body to stream upstream (a declared non-zero length or chunked framing). */
function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * One request's exchange with its upstream, as an undici dispatch handler on
 * the connection it borrowed. Also ctx.upstreamRequest: destroy() cancels it
 * (body limit, client gone, deadline) by destroying that connection, which
 * fails the request with the given error.
 */
export class Exchange implements Dispatcher.DispatchHandler, Expirable {
  readonly ctx: RequestContext;
  readonly options: ForwardOptions;
  readonly hasBody: boolean;
  retried = false;
  timedOut = false;
  client: Client | null = null;
  #forwarder: HttpForwarder;
  #connections: UpstreamConnections | null = null;
  /** Set once this attempt is over (answered, failed or cancelled): later callbacks are ignored. */
  #done = false;
  #deadline: Deadline | null;
  #resume: (() => void) | null = null;

  constructor(forwarder: HttpForwarder, ctx: RequestContext, options: ForwardOptions) {
    this.#forwarder = forwarder;
    this.ctx = ctx;
    this.options = options;
    this.hasBody = carriesBody(ctx.req);
    this.#deadline = forwarder.deadlines.add(options.timeoutMs, this);
  }

  /** Borrows a connection for an attempt (the first, or the one retry; the deadline keeps running). */
  start(connections: UpstreamConnections): void {
    this.#done = false;
    this.#connections = connections;
    this.client = connections.acquire();
  }

  destroy(error: Error = clientGoneError()): void {
    if (this.#done || this.client === null) return;
    // Fails the request on it with `error` (onResponseError), whether it was still connecting or already sent.
    void this.client.destroy(error).catch(() => {});
  }

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.#done || statusCode < 200) return;
    this.#clearTimer();
    this.#forwarder.relayHead(this, statusCode, headers, statusMessage);
    if (this.ctx.res!.destroyed) this.destroy(clientGoneError());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#done) return;
    const res = this.ctx.res!;
    // Backpressure: a slow client pauses the upstream read instead of buffering it all here.
    if (!res.write(chunk)) {
      controller.pause();
      if (this.#resume === null) this.#resume = () => controller.resume();
      res.once('drain', this.#resume);
    }
  }

  onResponseEnd(): void {
    if (this.#done) return;
    this.#done = true;
    this.#clearTimer();
    this.#release(null);
    this.ctx.upstreamRequest = null;
    this.ctx.res!.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#release(error);
    this.#forwarder.fail(this, error);
    // A retry (start()) keeps the deadline running; anything else ends it.
    if (this.#done) this.#clearTimer();
  }

  #release(error: Error | null): void {
    if (this.client !== null) this.#connections!.release(this.client, error);
    this.client = null;
  }

  /** The route deadline passed before the response head (Expirable). */
  onDeadline(): void {
    this.#deadline = null;
    if (this.#done) return;
    this.timedOut = true;
    this.destroy(timeoutError());
  }

  #clearTimer(): void {
    this.#deadline?.cancel();
    this.#deadline = null;
  }
}
