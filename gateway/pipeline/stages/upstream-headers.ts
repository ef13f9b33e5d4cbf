// Stage factory: rewrites the request for the upstream hop — path rewrite, header
// stripping, X-Forwarded-*, x-request-id, traceparent/tracestate, then the gateway's identity headers
// (set last, so nothing a client sent can shadow or remove them).
import type { TLSSocket } from 'node:tls';
import type { BlockList } from 'node:net';
import type { EdgeAuth } from '../../auth/types.ts';
import { stripUpgradeCredentials } from '../../auth/ws-handshake.ts';
import type { RouteConfig } from '../../config/types.ts';
import type { RequestContext, Stage } from '../context.ts';
import { setForwardedHeaders, stripClientHeaders } from '../headers.ts';
import { rewritePath } from '../paths.ts';
import { formatTraceparent } from '../../tracing/trace-context.ts';

export function prepareUpstreamRequest(route: RouteConfig, auth: EdgeAuth, trustedProxies: BlockList): Stage {
  const { prefix, rewrite, forwardAuthorization, upstream } = route;
  // A public route never authenticates (credentials sent there are not checked nor
  // forwarded as a user): upstreams get an anonymous assertion instead, which they
  // honour only on endpoints that allow anonymous callers.
  const anonymous = route.auth === 'public' && auth.anonymousHeaders ? auth.anonymousHeaders.bind(auth) : null;
  // No trusted proxies (the default): skip the per-request address lookup.
  const trusted = trustedProxies.rules.length > 0 ? trustedProxies : null;
  return function rewriteForUpstream(ctx: RequestContext): void | Promise<void> {
    const { req } = ctx;
    // The client's own spelling goes upstream: BTC%2FUSDC stays one segment there too.
    const path = rewritePath(ctx.rawPath, prefix, rewrite);
    const client = req.headers;
    // An upgrade's ?token= and "bearer, <token>" subprotocol are for the gateway only.
    const query = ctx.isUpgrade ? stripUpgradeCredentials(ctx.query, client) : ctx.query;
    ctx.forwardUrl = query ? `${path}?${query}` : path;
    req.url = ctx.forwardUrl;
    // A new object replaces req.headers (http-proxy-3 copies req.headers upstream).
    const headers = stripClientHeaders(client, { isUpgrade: ctx.isUpgrade, forwardAuthorization });
    setForwardedHeaders(headers, { peer: ctx.clientAddress, trusted, encrypted: Boolean((req.socket as TLSSocket).encrypted), client });
    headers['x-request-id'] = ctx.requestId;
    // The next hop is a child of the gateway's span (W3C Trace Context).
    headers.traceparent = formatTraceparent(ctx);
    if (ctx.traceState !== '') headers.tracestate = ctx.traceState;
    req.headers = headers;
    if (!ctx.user && !anonymous) return undefined;
    // Signed headers are reused for half their life: usually cached, so no promise.
    const cached = auth.cachedHeaders?.(ctx.user, upstream) ?? null;
    if (cached !== null) return void Object.assign(headers, cached);
    const signing = ctx.user ? auth.identityHeaders(ctx.user, upstream) : anonymous!(upstream);
    return signing.then((identity) => void Object.assign(headers, identity));
  };
}
