// The gateway's Node HTTP server with the connection-level limits of DESIGN.md:
// header size (431), slow headers / slow bodies (408 via headersTimeout and
// requestTimeout), idle keep-alive, and JSON answers for Node's own client errors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { GatewaySettings } from '../config/settings.ts';
import { writeRawResponse } from './respond.ts';

export type ServerLimits = Pick<GatewaySettings, 'maxHeaderBytes' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>;

export function createGatewayServer(limits: ServerLimits, logger: Logger): Server {
  const requestTimeout = limits.requestTimeoutMs;
  // Node requires headersTimeout <= requestTimeout (when the latter is on).
  const headersTimeout = requestTimeout > 0 ? Math.min(limits.headersTimeoutMs, requestTimeout) : limits.headersTimeoutMs;
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node looks for expired header/request deadlines (default 30 s is too coarse).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(headersTimeout || 1000, requestTimeout || 1000) / 4))),
    requireHostHeader: false,
    noDelay: true,
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, logger));
  // Without a listener Node drops a CONNECT silently; the gateway is no tunnel (issue 10 #6).
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    writeRawResponse(socket, 400, JSON.stringify({ detail: 'CONNECT is not supported' }), { 'x-gateway-error': 'BAD_REQUEST' });
  });
  return server;
}

const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'Request header fields too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'Request timeout' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, detail: 'Chunk extensions too large' },
};

/** Malformed requests, header overflow and timeouts: a JSON {"detail"} instead of Node's bare answer. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  const code = error.code ?? '';
  // Nothing to answer on a dead connection (Node docs: clientError / ECONNRESET).
  if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const known = CLIENT_ERRORS[code] ?? { status: 400, detail: 'Bad Request' };
  const headers = { 'x-gateway-error': code || 'BAD_REQUEST' };
  // The error came after the headers (bad chunk size, invalid Transfer-Encoding):
  // the request is already being answered (issue 10 #6).
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (inFlight) {
    if (inFlight.writableEnded) socket.end();
    else if (inFlight.headersSent) socket.destroy();
    else {
      logger.info({ code, status: known.status }, 'client error');
      const payload = JSON.stringify({ detail: known.detail });
      inFlight.writeHead(known.status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'close' }).end(payload);
    }
    return;
  }
  logger.info({ code, status: known.status }, 'client error');
  writeRawResponse(socket, known.status, JSON.stringify({ detail: known.detail }), headers);
}
