// The one place gateway-made answers are written: JSON bodies on a ServerResponse
// or, for refused upgrades and client errors, as a raw HTTP response on a socket.
import { STATUS_CODES } from 'node:http';
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
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(payload));
    if (ctx.requestId) res.setHeader('x-request-id', ctx.requestId);
    res.end(payload);
    return;
  }
  if (ctx.socket) writeRawResponse(ctx.socket, status, payload, { ...headers, ...(ctx.requestId ? { 'x-request-id': ctx.requestId } : {}) });
}

export function sendError(ctx: RequestContext, error: GatewayError): void {
  ctx.errorCode = error.code;
  sendJson(ctx, error.status, { detail: error.detail }, { ...error.headers, 'x-gateway-error': error.code });
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
