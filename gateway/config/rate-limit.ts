// A route's `rate_limit:` block: defaults, the checks a schema cannot make, and the
// one mapping of requests/per/burst onto a limiter's points and window, so that
// `npm run check` refuses exactly the limits the running gateway could not enforce.
import { ROUTE_DEFAULTS } from './defaults.ts';
import type { YamlPath } from './positions.ts';
import type { AuthPolicy, RateLimitBy, RateLimitConfig } from './types.ts';
import { parseDuration } from './units.ts';

type Raw = Record<string, unknown>;
type ReportProblem = (path: YamlPath, message: string) => void;

const DEF = ROUTE_DEFAULTS.route.rate_limit;
/** Longest `per` and longest refill time: past a day a "rate" is a quota, which this is not. */
export const RATE_LIMIT_MAX_WINDOW_S = 86_400;

/**
 * The token bucket as a fixed window (what rate-limiter-flexible counts): `burst`
 * points per the time a full bucket takes to refill at `requests`/`per`, rounded up
 * to whole seconds so the enforced rate is never above the configured one.
 * 600 per 1m with burst 100 → 100 points per 10 s.
 */
export function bucketWindow(config: Pick<RateLimitConfig, 'requests' | 'perMs' | 'burst'>): { points: number; windowS: number } {
  const windowS = Math.max(1, Math.ceil((config.burst * config.perMs) / 1000 / config.requests));
  return { points: config.burst, windowS };
}

export function buildRateLimit(body: Raw, auth: AuthPolicy, at: YamlPath, report: ReportProblem): RateLimitConfig | null {
  // The schema already refused non-integers, zero and negatives (file:line); these
  // guards only keep a config that failed it from being built with NaN.
  const requests = positiveInteger(body.requests);
  const burstValue = body.burst === undefined ? requests : positiveInteger(body.burst);
  const perMs = parseDuration(body.per);
  const by = (body.by as RateLimitBy | undefined) ?? DEF.by;
  let ok = requests !== null && burstValue !== null;
  if (perMs === null) {
    report([...at, 'per'], `bad duration "${String(body.per)}" (expected e.g. "1s", "1m", "1h")`);
    ok = false;
  } else if (perMs < 1000 || perMs % 1000 !== 0) {
    report([...at, 'per'], `must be a whole number of seconds, at least 1s (got ${perMs} ms)`);
    ok = false;
  } else if (perMs > RATE_LIMIT_MAX_WINDOW_S * 1000) {
    report([...at, 'per'], `must be at most 1 day (got ${perMs / 1000} s)`);
    ok = false;
  }
  // A public route never authenticates: there is no user or key to count by.
  if (auth === 'public' && by !== 'ip') {
    report([...at, 'by'], `a public route has no signed-in user: use "by: ip" (got "${by}")`);
    ok = false;
  }
  if (!ok) return null;
  const config: RateLimitConfig = {
    by,
    requests: requests!,
    perMs: perMs!,
    burst: burstValue!,
    adminsExempt: ((body.admins as string | undefined) ?? DEF.admins) === 'exempt',
    failClosed: ((body.on_store_error as string | undefined) ?? DEF.on_store_error) === 'closed',
  };
  const { windowS } = bucketWindow(config);
  if (windowS > RATE_LIMIT_MAX_WINDOW_S) {
    report([...at, 'burst'], `a full burst of ${config.burst} would take ${windowS} s to refill at ${config.requests} per ${config.perMs / 1000} s; at most 1 day: lower burst or raise requests`);
    return null;
  }
  return config;
}

function positiveInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : null;
}
