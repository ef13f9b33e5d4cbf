// The one place gateway-made answers are written: JSON bodies on a ServerResponse
// or, for refused upgrades and client errors, as a raw HTTP response on a socket.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestContext } from '../pipeline/context.ts';
import type { GatewayError } from '../pipeline/errors.ts';

export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ctx.status = status;
  const payload = JSON.stringify(body);
  const { res } = ctx;
  if (res) {
    if (res.headersSent) {
      // Too late for a status: the client must see a broken response, not a truncated "success".
      res.destroy();
      return;
    }
    res.statusCode = status;
    // HTTP/2 has no Connection header (RFC 9113 §8.2.2; Node warns and drops it): a stream ends on its own.
    const http2 = ctx.req.httpVersionMajor === 2;
    for (const [name, value] of Object.entries(headers)) if (!(http2 && name === 'connection')) res.setHeader(name, value);
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(payload));
    applyResponseHeaders(ctx, res);
    res.end(payload);
    return;
  }
  if (ctx.socket) writeRawResponse(ctx.socket, status, payload, { ...headers, ...(ctx.requestId ? { 'x-request-id': ctx.requestId } : {}) });
}

/** The gateway's own headers for every answer (ctx.responseHeaders: x-request-id, traceresponse) onto res, for a writer that sets headers one by one. */
export function applyResponseHeaders(ctx: RequestContext, res: Pick<ServerResponse, 'setHeader'>): void {
  const own = ctx.responseHeaders;
  for (const name in own) res.setHeader(name, own[name]!);
}

/**
 * The one writer of catalogue errors: {"detail"} with the entry's headers and its
 * code in X-Gateway-Error, on the response or (upgrades) the raw socket.
 */
export function sendError(ctx: RequestContext, error: GatewayError): void {
  ctx.errorCode = error.code;
  sendJson(ctx, error.status, { detail: error.detail }, { ...error.headers, 'x-gateway-error': error.code });
}

/** A catalogue error on a response that has no request context (Node's clientError mid-request). */
export function sendErrorOn(res: ServerResponse, error: GatewayError): void {
  const payload = JSON.stringify({ detail: error.detail });
  const headers: Record<string, string | number> = { ...error.headers, 'x-gateway-error': error.code, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'close' };
  if (res.req?.httpVersionMajor === 2) delete headers.connection;
  res.writeHead(error.status, headers).end(payload);
}

/** A catalogue error on a raw socket (client errors before any request, CONNECT, upgrades), then close. */
export function writeErrorToSocket(socket: Duplex, error: GatewayError, requestId?: string): void {
  writeRawResponse(socket, error.status, JSON.stringify({ detail: error.detail }), { ...error.headers, 'x-gateway-error': error.code, ...(requestId ? { 'x-request-id': requestId } : {}) });
}

/** A complete HTTP/1.1 response on a raw socket (upgrade refusals, clientError), then close. */
export function writeRawResponse(socket: Duplex, status: number, payload: string, headers: Record<string, string> = {}): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(payload)}`, 'connection: close'];
  for (const [name, value] of Object.entries(headers)) if (name !== 'connection') lines.push(`${name}: ${value}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${payload}`);
}
