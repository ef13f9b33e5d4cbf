// What of an upstream's response head reaches the client: hop-by-hop headers
// stay on the upstream hop (Node writes the client connection's own), the
// gateway's private x-auth-invalidate is taken off, an upstream's CORS headers
// give way to the gateway's policy, and a value Node refuses to write is dropped
// instead of throwing in the middle of a response.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { AUTH_INVALIDATE_HEADER, parseInvalidations, type Invalidation } from '../auth/invalidation.ts';

/** RFC 9110 §7.6.1 hop-by-hop fields (plus the non-standard proxy-connection); transfer-encoding is the client hop's framing. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** The response methods both node:http's ServerResponse and the HTTP/2 compatibility response have. */
export type ClientResponse = Pick<ServerResponse, 'setHeader' | 'hasHeader' | 'getHeader'>;

/**
 * Copies headers onto res. Returns the invalidations the upstream announced
 * (x-auth-invalidate, for the gateway only), or null when there were none.
 */
export function relayResponseHeaders(res: ClientResponse, headers: IncomingHttpHeaders): Invalidation[] | null {
  // The gateway is the one CORS policy (gateway/cors): its stage already set
  // Access-Control-Allow-Origin when it applies, and its Vary must keep Origin.
  const corsOwned = res.hasHeader('access-control-allow-origin');
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
    const relayed = corsOwned && name === 'vary' && !/\borigin\b/i.test(String(value)) ? `${String(value)}, Origin` : value;
    try {
      res.setHeader(name, relayed);
    } catch {
      // Node's client parser accepts a few names and values its server side refuses
      // to write (ERR_INVALID_CHAR, ERR_INVALID_HTTP_TOKEN): leave those out.
    }
  }
  return invalidations;
}
