// Which routes another service may call on each upstream, by caller name (the
// supervised names in routes.yaml) — the callee's decision, not the caller's.
// Everything else answers a service 403, so a compromised cache can ask the orm
// who owns what, and nothing more. Renaming a service in routes.yaml means
// renaming it here (docs/threat-model.md).
export type ServiceGrants = Readonly<Record<string, readonly string[]>>;

const FOLLOW_LIST = 'GET /internal/collectors/symbols';

export const SERVICE_GRANTS: Readonly<Record<string, ServiceGrants>> = {
  orm_api: {
    cache_api: ['GET /internal/users/:uid/ownership'],
    ticker: [FOLLOW_LIST],
    ohlcv: [FOLLOW_LIST],
    // Only the account collector reads exchange credentials.
    account: ['GET /internal/collectors/accounts'],
  },
  cache_api: {
    ticker: ['POST /tickers/:exchange/*'],
    account: ['POST /accounts/:id', 'POST /accounts/:id/positions'],
  },
  ohlcv_api: {
    ohlcv: ['GET /candles/:exchange/*', 'GET /trades/:exchange/*', 'POST /candles/:exchange/*', 'POST /trades/:exchange/*'],
  },
};

/** Whether `service` may call `method route` (route = fastify's pattern, e.g. /internal/users/:uid/ownership). */
export function serviceMayCall(grants: ServiceGrants, service: string | undefined, method: string, route: string | undefined): boolean {
  if (!service || !route || !Object.hasOwn(grants, service)) return false;
  return grants[service]!.includes(`${method} ${route}`);
}
