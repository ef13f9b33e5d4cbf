// The gateway's Node server with the connection-level limits of DESIGN.md:
// header size (431), slow headers / slow bodies (408 via headersTimeout and
// requestTimeout), idle keep-alive, and JSON answers for Node's own client errors.
// The one place a listener is made (every cluster worker calls it): plain HTTP/1.1,
// or with a certificate store the HTTPS listener (secure-server.ts: HTTP/2 and
// HTTP/1.1 over TLS, chosen by ALPN) with the same HTTP/1.1 handling attached.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { GatewaySettings } from '../config/settings.ts';
import { gatewayError, type ErrorCode } from '../pipeline/errors.ts';
import { sendErrorOn, writeErrorToSocket } from './respond.ts';
import { createSecureGatewayServer, type SecureGatewayServer, type TlsSource } from './secure-server.ts';

export type ServerLimits = Pick<GatewaySettings, 'maxHeaderBytes' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>;

/** Either listener; both emit 'request' and 'upgrade' and have the connection controls app.ts uses. */
export type GatewayServer = Server | SecureGatewayServer;

export function createGatewayServer(limits: ServerLimits & Partial<Pick<GatewaySettings, 'tlsHandshakeTimeoutMs'>>, logger: Logger, tls: TlsSource | null = null): GatewayServer {
  if (tls) {
    const secure = createSecureGatewayServer({ ...limits, tlsHandshakeTimeoutMs: limits.tlsHandshakeTimeoutMs ?? 10_000 }, logger, tls);
    attachHttp1Handlers(secure, logger);
    return secure;
  }
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
  attachHttp1Handlers(server, logger);
  return server;
}

/** Node's client errors (HTTP/1.1 connections of either listener) and CONNECT (either protocol). */
function attachHttp1Handlers(server: GatewayServer, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, logger));
  // Without a listener Node drops a CONNECT silently; the gateway is no tunnel (issue 10 #6).
  server.on('connect', (req: IncomingMessage | Http2ServerRequest, socket: Duplex | Http2ServerResponse) => {
    logger.info({ code: 'CONNECT_NOT_SUPPORTED', status: 400 }, 'client error');
    // HTTP/2 (RFC 9113 §8.5): the CONNECT is a stream; its answer a response, not raw bytes.
    if (req.httpVersionMajor === 2) return void sendErrorOn(socket as unknown as ServerResponse, gatewayError('CONNECT_NOT_SUPPORTED'));
    const raw = socket as Duplex;
    raw.on('error', () => {});
    writeErrorToSocket(raw, gatewayError('CONNECT_NOT_SUPPORTED'));
  });
}

/** Node's parser and timeout codes → catalogue codes (one X-Gateway-Error per condition). */
const CLIENT_ERRORS: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'CHUNK_EXTENSIONS_TOO_LARGE',
  HPE_INVALID_CHUNK_SIZE: 'BAD_CHUNK',
  HPE_INVALID_TRANSFER_ENCODING: 'BAD_FRAMING',
};

/** Malformed requests, header overflow and timeouts: a catalogue answer instead of Node's bare one. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  const nodeCode = error.code ?? '';
  // Nothing to answer on a dead connection (Node docs: clientError / ECONNRESET).
  if (nodeCode === 'ECONNRESET' || nodeCode === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const failure = gatewayError(CLIENT_ERRORS[nodeCode] ?? 'BAD_REQUEST');
  // The error came after the headers (bad chunk size, invalid Transfer-Encoding):
  // the request is already being answered (issue 10 #6).
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (inFlight?.writableEnded) return void socket.end();
  if (inFlight?.headersSent) return void socket.destroy();
  logger.info({ code: failure.code, node_code: nodeCode, status: failure.status }, 'client error');
  if (inFlight) sendErrorOn(inFlight, failure);
  else writeErrorToSocket(socket, failure);
}
