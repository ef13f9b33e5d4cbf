// The IETF rate-limit fields, draft-ietf-httpapi-ratelimit-headers-11 (May 2026):
// both are Structured Field lists (RFC 9651) of one item named after what is
// counted, e.g.
//   RateLimit-Policy: "user";q=100;w=10      (100 requests per 10 s window)
//   RateLimit: "user";r=42;t=7               (42 left, window ends in 7 s)
// The policy value is fixed per route, so it is built once when the route compiles;
// the RateLimit value is one template string per request.
import type { RateLimitBy } from '../config/types.ts';

export interface RatePolicyFields {
  /** The item's name: what one count holds ("user", "api_key", "ip"), an sf-string without characters to escape. */
  name: RateLimitBy;
  points: number;
  windowS: number;
}

/** `RateLimit-Policy`: quota q in window w (seconds). */
export function formatPolicy(policy: RatePolicyFields): string {
  return `"${policy.name}";q=${policy.points};w=${policy.windowS}`;
}

/** `RateLimit`: r requests left, the window ends in t seconds (rounded up, never negative). */
export function formatRateLimit(name: RateLimitBy, remaining: number, msBeforeNext: number): string {
  return `"${name}";r=${remaining};t=${secondsUntil(msBeforeNext)}`;
}

/** Whole seconds, rounded up: a client that waits this long finds the window over. */
export function secondsUntil(ms: number): number {
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}
