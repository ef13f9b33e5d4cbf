// Serves LocalRoutes on a real HTTP server (port 0) the way the gateway would:
// exact path match, ctx.user from the EdgeAuth for non-public routes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayEdgeAuth } from '../../../../../gateway/auth/edge-auth.ts';
import type { LocalRoute, RequestContext } from '../../../../../gateway/pipeline/context.ts';
import { toGatewayError } from '../../../../../gateway/pipeline/errors.ts';

export async function serveLocalRoutes(auth: GatewayEdgeAuth, routes: LocalRoute[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const route = routes.find((r) => r.path === url.pathname && r.method === req.method);
    if (!route) return void res.writeHead(404).end();
    const ctx = { req, res, user: null } as unknown as RequestContext;
    if (route.auth !== 'public') {
      const outcome = await auth.authenticate(req, url, false);
      if (outcome.kind !== 'user') {
        res.writeHead(outcome.kind === 'rejected' ? outcome.status : 401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        return void res.end(JSON.stringify({ detail: outcome.kind === 'rejected' ? outcome.detail : 'Not authenticated' }));
      }
      ctx.user = outcome.user;
    }
    try {
      const answer = await route.handle(ctx, {});
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    } catch (error) {
      // The gateway's one writer: catalogue errors as they would reach a client.
      const failure = toGatewayError(error);
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers, 'x-gateway-error': failure.code });
      res.end(JSON.stringify({ detail: failure.detail }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
