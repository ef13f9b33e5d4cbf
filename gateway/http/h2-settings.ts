// HTTP/2 limits of the HTTPS listener, derived from the HTTP/1.1 ones where they
// mean the same thing, so a client meets the same limits whichever protocol ALPN
// picked. One defaults object; secure-server.ts passes them to node:http2.
import type { SecureServerOptions } from 'node:http2';
import type { ServerLimits } from './server.ts';

export const H2_DEFAULTS = {
  /** Streams a client may have open at once (nginx and Envoy: 100-128). */
  maxConcurrentStreams: 100,
  /**
   * Header fields per request (Node's default, 128). A request with more is
   * refused by nghttp2 with RST_STREAM ENHANCE_YOUR_CALM before it is decoded
   * further: the HPACK-bomb cap on the number of (cheaply indexed) fields.
   */
  maxHeaderListPairs: 128,
  /**
   * SETTINGS_MAX_HEADER_LIST_SIZE as a multiple of MAX_HEADER_BYTES: the decoded
   * size past which nghttp2 refuses a request's headers (RST_STREAM
   * ENHANCE_YOUR_CALM) while it decodes them. Between MAX_HEADER_BYTES and this,
   * the gateway answers the same JSON 431 as over HTTP/1.1 (h2-request.ts).
   */
  headerListHardCapFactor: 4,
  /** Megabytes a session may hold (header tables, queued data, streams); new streams are refused above it (Node's default: 10). */
  maxSessionMemoryMb: 10,
  /**
   * Rapid reset (CVE-2023-44487): streams a client may cancel before they were
   * answered, as a token bucket per session (h2-reset-guard.ts). nghttp2's own
   * limit is 1000 then 33/s; each cancelled stream still reaches the gateway's
   * pipeline, so the gateway's bucket is smaller.
   */
  resetBurst: 100,
  resetRefillPerSecond: 10,
} as const;

/** The header-list size nghttp2 enforces while decoding (never below 16 KiB, the HTTP/1.1 default). */
export function headerListHardCap(maxHeaderBytes: number): number {
  return Math.max(16_384, maxHeaderBytes * H2_DEFAULTS.headerListHardCapFactor);
}

/** The node:http2 options for the gateway's limits (TLS options come from the certificate store). */
export function http2Options(limits: ServerLimits): SecureServerOptions {
  return {
    maxSessionMemory: H2_DEFAULTS.maxSessionMemoryMb,
    maxHeaderListPairs: H2_DEFAULTS.maxHeaderListPairs,
    settings: {
      maxConcurrentStreams: H2_DEFAULTS.maxConcurrentStreams,
      maxHeaderListSize: headerListHardCap(limits.maxHeaderBytes),
      // Server push is gone from browsers (Chrome 106) and the gateway never pushes.
      enablePush: false,
    },
  };
}
