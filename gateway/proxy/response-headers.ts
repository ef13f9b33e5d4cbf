// What of an upstream's response head reaches the client: hop-by-hop headers
// stay on the upstream hop (Node writes the client connection's own), the
// gateway's private x-auth-invalidate is taken off, an upstream's CORS headers
// give way to the gateway's policy, and a value Node refuses to write is dropped
// instead of throwing in the middle of a response.
//
// The head is handed to writeHead as one object, with the gateway's own headers
// (ctx.responseHeaders): when nothing was set on the response before, Node writes
// that object as it is. Set header by header (setHeader, then writeHead) every
// name was validated, lower-cased and stored once more: ~5 µs of a paced
// request's ~125 µs (docs/benchmarks.md, twelfth pass).
import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { AUTH_INVALIDATE_HEADER, parseInvalidations, type Invalidation } from '../auth/invalidation.ts';

/** RFC 9110 §7.6.1 hop-by-hop fields (plus the non-standard proxy-connection); transfer-encoding is the client hop's framing. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** The response methods both node:http's ServerResponse and the HTTP/2 compatibility response have. */
export type ClientResponse = Pick<ServerResponse, 'hasHeader' | 'writeHead'>;

export interface RelayedHead {
  headers: OutgoingHttpHeaders;
  /** The invalidations the upstream announced (x-auth-invalidate, for the gateway only), or null when there were none. */
  invalidations: Invalidation[] | null;
}

/**
 * The client's response head: `own` (the gateway's headers for every answer),
 * then the upstream's headers as relayed, which win where both name one (an
 * upstream's x-request-id echo, as before).
 */
export function relayResponseHeaders(res: ClientResponse, own: Readonly<Record<string, string>>, headers: IncomingHttpHeaders, hasOrigin: boolean): RelayedHead {
  // The gateway is the one CORS policy (gateway/cors): its stage already set
  // Access-Control-Allow-Origin when it applies, and its Vary must keep Origin.
  const corsOwned = hasOrigin && res.hasHeader('access-control-allow-origin');
  const out: OutgoingHttpHeaders = { ...own };
  let invalidations: Invalidation[] | null = null;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name === AUTH_INVALIDATE_HEADER) {
      const items = parseInvalidations(value);
      if (items.length > 0) invalidations = items;
      continue;
    }
    if (corsOwned && name.startsWith('access-control-')) continue;
    out[name] = corsOwned && name === 'vary' && !/\borigin\b/i.test(String(value)) ? `${String(value)}, Origin` : value;
  }
  return { headers: out, invalidations };
}

/**
 * writeHead with the relayed head. Node's client parser accepts a few names and
 * values its server side refuses to write (ERR_INVALID_CHAR,
 * ERR_INVALID_HTTP_TOKEN): writeHead then throws before anything is written, and
 * the head goes again without them. Validating up front would cost every
 * response what only a broken upstream needs.
 */
export function writeRelayedHead(res: ClientResponse, statusCode: number, statusMessage: string | undefined, headers: OutgoingHttpHeaders): void {
  try {
    writeHead(res, statusCode, statusMessage, headers);
  } catch {
    writeHead(res, statusCode, statusMessage, writableOnly(headers));
  }
}

function writeHead(res: ClientResponse, statusCode: number, statusMessage: string | undefined, headers: OutgoingHttpHeaders): void {
  if (statusMessage) res.writeHead(statusCode, statusMessage, headers);
  else res.writeHead(statusCode, headers);
}

function writableOnly(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    try {
      validateHeaderName(name);
      // An array is checked as its joined text: the same characters.
      validateHeaderValue(name, String(value));
      out[name] = value;
    } catch {
      // Left out: Node would refuse to write it.
    }
  }
  return out;
}
