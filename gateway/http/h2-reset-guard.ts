// Rapid-reset defence (CVE-2023-44487): a client opens streams and cancels each
// at once with RST_STREAM, so maxConcurrentStreams never binds while every stream
// still costs the gateway a pass through its pipeline. Each session gets a token
// bucket of cancellations (H2_DEFAULTS); a client that empties it is sent GOAWAY
// ENHANCE_YOUR_CALM and its session is closed, with one log line. Other sessions
// are untouched. nghttp2 has a limit of its own (1000 resets, then 33/s) that
// stays in place behind this one.
import { constants, type Http2SecureServer, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Logger } from 'pino';

export interface ResetGuardOptions {
  burst: number;
  refillPerSecond: number;
  logger: Logger;
  /** Milliseconds, monotonic (tests may pass their own). */
  now?: () => number;
}

export function guardAgainstRapidReset(server: Http2SecureServer, options: ResetGuardOptions): void {
  const now = options.now ?? (() => performance.now());
  server.on('session', (session: ServerHttp2Session) => {
    let tokens = options.burst;
    let refilledAt = now();
    let cancelled = 0;
    const onCancelled = () => {
      cancelled++;
      const at = now();
      tokens = Math.min(options.burst, tokens + ((at - refilledAt) / 1000) * options.refillPerSecond);
      refilledAt = at;
      tokens -= 1;
      if (tokens >= 0 || session.destroyed) return;
      options.logger.warn(
        { code: 'H2_RAPID_RESET', peer: session.socket?.remoteAddress, cancelled_streams: cancelled },
        'HTTP/2 client cancels streams faster than allowed (rapid reset): session closed',
      );
      // The final GOAWAY carries the code (RFC 9113 §5.4.1: the client learns why).
      session.destroy(new Error('HTTP/2 rapid reset: session closed'), constants.NGHTTP2_ENHANCE_YOUR_CALM);
    };
    session.on('stream', (stream: ServerHttp2Stream) => {
      // A HEADERS and its RST_STREAM usually arrive in one read: the stream is
      // already closed when JavaScript first sees it.
      if (stream.closed || stream.destroyed) {
        if (stream.rstCode !== constants.NGHTTP2_NO_ERROR) onCancelled();
        return;
      }
      stream.once('aborted', onCancelled);
    });
  });
}
