// Local routes whose state lives in the primary (health, the services API): a
// worker answers them by asking the primary, so a service restart requested
// through any worker happens once, and every worker reports the same health.
// The worker still runs the route's auth stage first: only an admin's request
// is forwarded to the services API.
import type { LocalRoute, LocalResponse } from '../pipeline/context.ts';
import { errors, GatewayError } from '../pipeline/errors.ts';
import { IpcError, type IpcPeer } from './ipc.ts';
import { LOCAL_FORWARD_TIMEOUT_MS, type ForwardedLocal, type PrimarySide, type WorkerInit, type WorkerSide } from './protocol.ts';

/** The key both sides name a route by. */
export const routeKey = (route: Pick<LocalRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/** Worker side: stand-ins that forward to the primary and give its answer (or its catalogue error) back. */
export function forwardedRoutes(primary: IpcPeer<WorkerSide, PrimarySide>, routes: WorkerInit['primaryRoutes']): LocalRoute[] {
  return routes.map((route) => ({
    method: route.method,
    path: route.path,
    auth: route.auth,
    handle: async (ctx, params) => {
      try {
        return await primary.request('local', { key: route.key, params, query: ctx.query }, LOCAL_FORWARD_TIMEOUT_MS);
      } catch (error) {
        throw asGatewayError(error);
      }
    },
  }));
}

/** The primary's catalogue error arrives as data; anything else (no answer) is this gateway's 500. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof IpcError && error.remote?.code && typeof error.remote.status === 'number') {
    const { code, status, detail, headers } = error.remote;
    return new GatewayError(code, status, (detail ?? error.message) as string, { headers });
  }
  return errors.internal(error);
}

/** Primary side: runs the real handler for a forwarded request. */
export function answerForwarded(routes: readonly LocalRoute[]): (request: ForwardedLocal) => Promise<LocalResponse> {
  const byKey = new Map(routes.map((route) => [routeKey(route), route]));
  return async ({ key, params, query }) => {
    const route = byKey.get(key);
    if (!route) throw errors.notFound();
    // These handlers read only the query string of the request (services logs' ?lines=).
    const ctx = { query } as Parameters<LocalRoute['handle']>[0];
    return route.handle(ctx, params);
  };
}

/** What a worker is told about the primary's routes. */
export function describeRoutes(routes: readonly LocalRoute[]): WorkerInit['primaryRoutes'] {
  return routes.map((route) => ({ key: routeKey(route), method: route.method, path: route.path, auth: route.auth }));
}
