// The HTTPS listener: one node:http2 secure server that speaks HTTP/2 and, for
// clients that do not offer h2 in ALPN, HTTP/1.1 (allowHTTP1) on the same port,
// with the certificate store's options (default pair, SNI, TLS floor, ciphers,
// tickets). HTTP/1.1 connections keep every limit of the plain listener; HTTP/2
// gets the equivalent SETTINGS (h2-settings.ts), the rapid-reset guard, an idle
// timeout, and GOAWAY on drain. In front of TLS: the plain-HTTP sniffer and the
// handshake timeout, so no connection can hang the port open without TLS.
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { TLSSocket, TlsOptions, Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { guardAgainstRapidReset } from './h2-reset-guard.ts';
import { H2_DEFAULTS, http2Options } from './h2-settings.ts';
import { sniffPlainHttp } from './plain-http-sniffer.ts';
import type { ServerLimits } from './server.ts';

/** After an idle session's GOAWAY, how long it may take to end before it is destroyed. */
const IDLE_CLOSE_GRACE_MS = 1000;

/** What the listener needs of the certificate store (gateway/tls/certificate-store.ts). */
export interface TlsSource {
  serverOptions(): TlsOptions;
  /** Keeps the server's default context on the current default pair (hot reload). */
  attach?(server: TlsServer): () => void;
}

/** The secure server with the connection controls app.ts uses on node:http's server. */
export interface SecureGatewayServer extends Http2SecureServer {
  /** HTTP/1.1: closes idle keep-alive connections. HTTP/2: GOAWAY on every session (in-flight streams finish). */
  closeIdleConnections(): void;
  /** Destroys every connection, both protocols (end of the shutdown grace). */
  closeAllConnections(): void;
}

export interface SecureServerLimits extends ServerLimits {
  tlsHandshakeTimeoutMs: number;
}

export function createSecureGatewayServer(limits: SecureServerLimits, logger: Logger, tls: TlsSource): SecureGatewayServer {
  const server = createSecureServer({
    ...tls.serverOptions(),
    ...http2Options(limits),
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
    handshakeTimeout: limits.tlsHandshakeTimeoutMs,
  }) as SecureGatewayServer;
  tls.attach?.(server);
  applyHttp1Limits(server, limits);
  sniffPlainHttp(server, { timeoutMs: limits.tlsHandshakeTimeoutMs, logger });
  guardAgainstRapidReset(server, { burst: H2_DEFAULTS.resetBurst, refillPerSecond: H2_DEFAULTS.resetRefillPerSecond, logger });

  // A failed handshake (timeout, no shared cipher, a client that distrusts the
  // certificate, a scanner): one line, never an exception.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    logger.info({ peer: socket.remoteAddress, code: error.code ?? 'TLS_ERROR', reason: error.message }, 'TLS handshake failed');
    socket.destroy();
  });
  server.on('sessionError', (error: NodeJS.ErrnoException) => logger.debug({ code: error.code, err: error.message }, 'HTTP/2 session error'));

  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    closeWhenIdle(session, limits.keepAliveTimeoutMs);
  });

  const closeIdleHttp1 = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    closeIdleHttp1();
    for (const session of sessions) if (!session.closed) session.close();
  };
  server.closeAllConnections = () => {
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  };
  return server;
}

/**
 * node:http reads these from the server object for each HTTP/1.1 connection it
 * parses (the same limits as the plain listener: 431, 408, keep-alive).
 */
function applyHttp1Limits(server: Http2SecureServer, limits: ServerLimits): void {
  const { requestTimeoutMs, headersTimeoutMs } = limits;
  const target = server as Http2SecureServer & { maxHeaderSize: number; headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
  target.maxHeaderSize = limits.maxHeaderBytes;
  target.requestTimeout = requestTimeoutMs;
  target.headersTimeout = requestTimeoutMs > 0 ? Math.min(headersTimeoutMs, requestTimeoutMs) : headersTimeoutMs;
  target.keepAliveTimeout = limits.keepAliveTimeoutMs;
  target.connectionsCheckingInterval = Math.max(50, Math.min(1000, Math.floor(Math.min(target.headersTimeout || 1000, requestTimeoutMs || 1000) / 4)));
}

/**
 * An HTTP/2 session with no stream open for the keep-alive timeout gets GOAWAY
 * (as an idle HTTP/1.1 keep-alive connection is closed), counted from when its last
 * stream closed, whatever frames keep arriving meanwhile. Node's own session timeout
 * restarts on incoming frames, so a header block sent a few bytes per CONTINUATION
 * frame held a session that served nothing for up to 9 timeouts (nghttp2 takes 8
 * CONTINUATIONs per block), and as many such sessions as a client cared to open.
 * A session with streams open stays.
 */
function closeWhenIdle(session: ServerHttp2Session, idleMs: number): void {
  if (idleMs <= 0) return;
  let open = 0;
  const idle = setTimeout(() => {
    if (open === 0 && !session.closed) closeIdleSession(session);
  }, idleMs);
  idle.unref();
  session.on('stream', (stream) => {
    if (stream.destroyed) return;
    open++;
    stream.once('close', () => {
      // refresh() re-arms the one timer (also after it fired with streams open).
      if (--open === 0) idle.refresh();
    });
  });
  session.once('close', () => clearTimeout(idle));
}

/** GOAWAY; a session that does not end by itself soon after (a header block still open) is destroyed. */
function closeIdleSession(session: ServerHttp2Session): void {
  session.close();
  setTimeout(() => {
    if (!session.destroyed) session.destroy();
  }, IDLE_CLOSE_GRACE_MS).unref();
}
