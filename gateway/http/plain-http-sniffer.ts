// The HTTPS port's first look at a connection: a TLS handshake starts with a
// handshake record (byte 0x16, RFC 8446 §5.1); anything else never becomes TLS.
// Node's TLS server would wait for a ClientHello that never comes (a hang until
// the handshake timeout), so a client that speaks plain HTTP to the HTTPS port
// gets a plain-text JSON 400 instead, as nginx answers "The plain HTTP request
// was sent to HTTPS port". Other bytes are closed with one log line. A client that
// sends nothing is closed after the handshake timeout.
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { gatewayError } from '../pipeline/errors.ts';
import { writeErrorToSocket } from './respond.ts';

const TLS_HANDSHAKE_RECORD = 0x16;
/** An HTTP/1.x request line starts with a method token: upper-case letters (RFC 9110 §9). */
const HTTP_METHOD_START = /^[A-Z]{3,}[ A-Z]/;

export interface SnifferOptions {
  /** The first byte must come within this (the TLS server's handshakeTimeout takes over after). */
  timeoutMs: number;
  logger: Logger;
}

/**
 * Puts the sniffer in front of the TLS server's own connection handling. tls.Server
 * documents that a 'connection' may be emitted by users to inject a socket: the
 * TLS listeners are taken off and called with each socket that starts a handshake.
 */
export function sniffPlainHttp(server: Server, options: SnifferOptions): void {
  const tlsListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const startTls = () => {
      for (const listener of tlsListeners) listener.call(server, socket);
    };
    inspectFirstBytes(socket, options, startTls);
  });
}

function inspectFirstBytes(socket: Socket, { timeoutMs, logger }: SnifferOptions, startTls: () => void): void {
  const peer = socket.remoteAddress;
  const onError = (error: NodeJS.ErrnoException) => {
    cleanup();
    logger.debug({ peer, code: error.code }, 'connection to the HTTPS port failed before TLS');
    socket.destroy();
  };
  const onTimeout = () => {
    cleanup();
    logger.info({ peer, code: 'TLS_HANDSHAKE_TIMEOUT', timeout_ms: timeoutMs }, 'TLS handshake timed out: nothing was sent');
    socket.destroy();
  };
  const onEnd = () => {
    cleanup();
    socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    cleanup();
    socket.pause();
    // Put the bytes back: the TLS socket reads what is buffered on the plain one first.
    socket.unshift(chunk);
    if (chunk[0] === TLS_HANDSHAKE_RECORD) {
      startTls();
      return;
    }
    socket.on('error', () => {});
    if (HTTP_METHOD_START.test(chunk.subarray(0, 8).toString('latin1'))) {
      const failure = gatewayError('PLAIN_HTTP_ON_TLS_PORT');
      logger.info({ peer, code: failure.code, status: failure.status }, 'client error');
      writeErrorToSocket(socket, failure);
      // Read and drop the rest of the request, so closing does not reset the answer away.
      socket.resume();
      return;
    }
    logger.info({ peer, code: 'NOT_TLS', first_byte: chunk[0] }, 'connection to the HTTPS port is neither TLS nor HTTP: closed');
    socket.destroy();
  };
  function cleanup(): void {
    socket.setTimeout(0);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('timeout', onTimeout);
    socket.off('end', onEnd);
  }
  socket.on('error', onError);
  socket.on('end', onEnd);
  socket.on('timeout', onTimeout);
  socket.setTimeout(timeoutMs);
  socket.once('data', onData);
}
