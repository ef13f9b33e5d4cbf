// Stage factory: a route's rate_limit. After auth (the count is per user, API key
// or client address), before anything is forwarded: one count per request or
// WebSocket upgrade; over the limit → 429 RATE_LIMITED with Retry-After; counted
// responses carry the IETF RateLimit-Policy / RateLimit fields (ratelimit/headers.ts).
// Routes without a limit get no stage at all (no store round trip).
import type { BlockList } from 'node:net';
import type { EdgeAuth } from '../../auth/types.ts';
import { bucketWindow } from '../../config/rate-limit.ts';
import type { RateLimitBy, RouteConfig } from '../../config/types.ts';
import { resolveClientAddress } from '../../http/client-address.ts';
import { formatPolicy, formatRateLimit, secondsUntil } from '../../ratelimit/headers.ts';
import type { RateLimitStore } from '../../ratelimit/store.ts';
import type { RequestContext, Stage } from '../context.ts';
import { errors } from '../errors.ts';

export interface RateLimitDeps {
  store: RateLimitStore;
  auth: EdgeAuth;
  trustedProxies: BlockList;
}

export function limitRate(route: RouteConfig, deps: RateLimitDeps): Stage | null {
  const config = route.rateLimit;
  if (!config) return null;
  const { points, windowS } = bucketWindow(config);
  const name = config.by;
  const limiter = deps.store.limiter(`${route.prefix}|${name}|${points}|${windowS}`, points, windowS, config.failClosed);
  const policy = formatPolicy({ name, points, windowS });
  const keyOf = partitionKey(name, deps.trustedProxies);
  const exempt = config.adminsExempt ? deps.auth : null;
  return function checkRateLimit(ctx: RequestContext): Promise<void> | void {
    // Exempt admins are not counted and get no RateLimit fields (no limit applies to them).
    if (exempt && ctx.user && exempt.isAdmin(ctx.user)) return undefined;
    return limiter.consume(keyOf(ctx)).then((verdict) => {
      if (verdict === null) throw errors.rateLimitUnavailable();
      const current = formatRateLimit(name, verdict.remaining, verdict.msBeforeNext);
      if (!verdict.allowed) throw errors.rateLimited(secondsUntil(verdict.msBeforeNext), { 'ratelimit-policy': policy, ratelimit: current });
      // Set now, kept by the proxy when it copies the upstream's headers (upgrades have no response to carry them).
      const { res } = ctx;
      if (res) {
        res.setHeader('ratelimit-policy', policy);
        res.setHeader('ratelimit', current);
      }
    });
  };
}

/** The count a request belongs to. A request without the identity asked for falls back to the next one down (API key → user → address). */
function partitionKey(by: RateLimitBy, trustedProxies: BlockList): (ctx: RequestContext) => string {
  const address = (ctx: RequestContext) => `ip:${resolveClientAddress(ctx.req, trustedProxies)}`;
  if (by === 'ip') return address;
  if (by === 'user') return (ctx) => (ctx.user ? `u:${ctx.user.userId}` : address(ctx));
  return (ctx) => {
    const user = ctx.user;
    if (!user) return address(ctx);
    return user.apiKeyId !== undefined ? `k:${user.apiKeyId}` : `u:${user.userId}`;
  };
}
