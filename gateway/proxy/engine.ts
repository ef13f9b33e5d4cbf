// The proxy itself: HTTP goes through an undici Pool per upstream
// (http-forwarder.ts), WebSocket upgrades through http-proxy-3, both with
// per-route deadlines and one error map. Stages call web()/ws(); nothing here
// may throw into the event loop (see http-proxy-3 issue #5 and node-http-proxy
// #1468: unhandled socket errors used to crash proxies).
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import type { RequestContext } from '../pipeline/context.ts';
import { writeErrorToSocket } from '../http/respond.ts';
import { mapUpstreamError } from './error-map.ts';
import { HttpForwarder, type ForwardOptions } from './http-forwarder.ts';
import { UpstreamPools, type SocketCounts } from './upstream-pools.ts';
import { completeUpgradeResponse } from '../auth/ws-handshake.ts';
import type { Invalidation } from '../auth/invalidation.ts';
import { isUpgraded, trackClientSocket } from './ws-close.ts';

export type { ForwardOptions } from './http-forwarder.ts';

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

// Per-upgrade state rides on the request object under a symbol. A WeakMap keyed
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
}

export class ProxyEngine {
  /** The HTTP connection pools, one per upstream; also the open-socket counts (leak tests, diagnostics). */
  readonly agent: UpstreamPools & SocketCounts = new UpstreamPools();
  #http: HttpForwarder;
  /** WebSocket upgrades only: http-proxy-3 relays the handshake and then pipes the two sockets. */
  #proxy = new ProxyServer({ xfwd: false, changeOrigin: true, ws: true });
  #options: ProxyEngineOptions;

  constructor(options: ProxyEngineOptions) {
    this.#options = options;
    this.#http = new HttpForwarder({ pools: this.agent, registry: options.registry, logger: options.logger, isDraining: options.isDraining, onAuthInvalidation: options.onAuthInvalidation });
    const proxy = this.#proxy;
    proxy.on('proxyReqWs', (proxyReq, req) => this.#onUpstreamRequest(proxyReq, req));
    // Fallback only: every call passes its own callback, so this should never fire.
    proxy.on('error', (error) => options.logger.warn({ err: error }, 'proxy error without a handler'));
    // The client went away and http-proxy-3 destroyed the upstream request: nothing to answer.
    proxy.on('econnreset', () => {});
  }

  web(ctx: RequestContext, options: ForwardOptions): void {
    this.#http.forward(ctx, options);
  }

  ws(ctx: RequestContext, options: ForwardOptions): void {
    const socket = ctx.socket!;
    const pending: Pending = { ctx, options, timer: null, timedOut: false, settled: false };
    (ctx.req as WithPending)[PENDING] = pending;
    trackClientSocket(socket);
    this.#proxy.ws(ctx.req, socket, ctx.head, { target: ctx.target!, connectTimeout: options.connectTimeoutMs }, (error) => this.#onWsError(error, pending));
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

  #onWsError(error: Error, pending: Pending): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = null;
    const { ctx } = pending;
    const upstream = ctx.upstream ?? 'unknown';
    const socket = ctx.socket!;
    const clientGone = socket.destroyed;
    const mapped = mapUpstreamError(error, { upstream, timedOut: pending.timedOut, clientGone });
    if (mapped.connectionFailure) this.#options.registry.reportConnectionError(upstream, error);
    // Logged once, on the access line (no stack: a socket error's stack says nothing).
    ctx.errorCause = { message: error.message, code: (error as NodeJS.ErrnoException).code };
    ctx.upstreamRequest?.destroy();
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
