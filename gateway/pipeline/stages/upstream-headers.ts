// Stage factory: rewrites the request for the upstream hop — path rewrite, header
// stripping, X-Forwarded-*, x-request-id, then the gateway's identity headers
// (set last, so nothing a client sent can shadow or remove them).
import type { TLSSocket } from 'node:tls';
import type { BlockList } from 'node:net';
import type { EdgeAuth } from '../../auth/types.ts';
import { stripUpgradeCredentials } from '../../auth/ws-handshake.ts';
import type { RouteConfig } from '../../config/types.ts';
import type { RequestContext, Stage } from '../context.ts';
import { setForwardedHeaders, stripClientHeaders } from '../headers.ts';
import { encodePath, rewritePath } from '../paths.ts';

export function prepareUpstreamRequest(route: RouteConfig, auth: EdgeAuth, trusted: BlockList): Stage {
  const { prefix, rewrite, forwardAuthorization, upstream } = route;
  return async function rewriteForUpstream(ctx: RequestContext): Promise<void> {
    const { req } = ctx;
    const path = encodePath(rewritePath(ctx.path, prefix, rewrite));
    const headers = req.headers;
    // An upgrade's ?token= and "bearer, <token>" subprotocol are for the gateway only.
    const query = ctx.isUpgrade ? stripUpgradeCredentials(ctx.query, headers) : ctx.query;
    ctx.forwardUrl = query ? `${path}?${query}` : path;
    req.url = ctx.forwardUrl;
    stripClientHeaders(headers, { isUpgrade: ctx.isUpgrade, forwardAuthorization });
    setForwardedHeaders(headers, { peer: ctx.clientAddress, trusted, encrypted: Boolean((req.socket as TLSSocket).encrypted) });
    headers['x-request-id'] = ctx.requestId;
    if (ctx.user) Object.assign(headers, await auth.identityHeaders(ctx.user, upstream));
  };
}
