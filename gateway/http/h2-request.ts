// Makes an HTTP/2 request (node:http2's compatibility Http2ServerRequest) look to
// the pipeline and the proxy like the HTTP/1.1 request it stands for, once, at
// entry: pseudo-headers (:method, :path, :authority, :scheme) are not headers and
// must never be forwarded; Host comes from :authority (RFC 9113 §8.3.1); and a
// body without Content-Length (h2 frames bodies itself) is marked
// Transfer-Encoding: chunked, which is what it would have been over HTTP/1.1, so
// the body limit counts it and the upstream hop (HTTP/1.1) streams it.
// Also the header-size limit: the same MAX_HEADER_BYTES → 431 as HTTP/1.1.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

/** Bytes an HTTP/1.1 field line takes beyond name and value (": " and CRLF). */
const FIELD_LINE_OVERHEAD = 4;

export function isHttp2(req: IncomingMessage | Http2ServerRequest): boolean {
  return req.httpVersionMajor === 2;
}

/**
 * The request's header block measured as HTTP/1.1 would count it (request line
 * + field lines), so MAX_HEADER_BYTES means the same over both protocols.
 */
export function headerBlockSize(req: Http2ServerRequest): number {
  const raw = req.rawHeaders;
  let size = 0;
  for (let i = 0; i < raw.length; i += 2) size += raw[i]!.length + (raw[i + 1]?.length ?? 0) + FIELD_LINE_OVERHEAD;
  return size;
}

/**
 * Replaces req.headers (a getter over the pseudo-header map on the compat request,
 * which node:http2 also reads method and url from) by an own property holding
 * the HTTP/1.1 view: stages may then replace it as they do on HTTP/1.1.
 */
export function adaptHttp2Request(req: Http2ServerRequest): void {
  const source = req.headers;
  const headers: IncomingHttpHeaders = {};
  for (const name in source) {
    // Pseudo-headers start with ":" (RFC 9113 §8.3).
    if (name.charCodeAt(0) === 58) continue;
    headers[name] = source[name] as string;
  }
  if (headers.host === undefined && req.authority) headers.host = req.authority;
  if (!req.stream.endAfterHeaders && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  Object.defineProperty(req, 'headers', { value: headers, writable: true, enumerable: true, configurable: true });
}

/**
 * REQUEST_TIMEOUT_MS for an HTTP/2 request body: node:http enforces it on
 * HTTP/1.1 connections, nothing does on an HTTP/2 stream, where a client could
 * trickle a body forever while the session stays busy. `onExpired` runs once if
 * the body is not complete in time (the caller answers 408); the timer is gone
 * once the body ended or the stream closed.
 */
export function armBodyDeadline(req: Http2ServerRequest, timeoutMs: number, onExpired: () => void): void {
  if (timeoutMs <= 0 || req.stream.endAfterHeaders) return;
  const timer = setTimeout(onExpired, timeoutMs);
  const clear = () => clearTimeout(timer);
  req.once('end', clear);
  req.stream.once('close', clear);
}
