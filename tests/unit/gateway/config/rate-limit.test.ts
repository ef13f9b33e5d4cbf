// A route's rate_limit in routes.yaml: defaults, the mapping onto the limiter's
// points and window, and every bad value refused with file:line (so `npm run
// check` and a reload refuse it alike: both go through parseConfigText).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../../gateway/config/load.ts';
import { formatProblem } from '../../../../gateway/config/problems.ts';
import { bucketWindow } from '../../../../gateway/config/rate-limit.ts';

const withLimit = (limit: string, auth = 'user') => `upstreams:
  api:
    url: http://127.0.0.1:9001
routes:
  - prefix: /api
    upstream: api
    auth: ${auth}
    rate_limit: ${limit}
`;

function problemsOf(text: string): string[] {
  const result = parseConfigText(text, 'routes.yaml', {});
  expect(result.ok).toBe(false);
  // Line and key path; the column depends on where in the flow mapping the value sits.
  return result.problems.map((problem) => formatProblem(problem).replace(/^(routes\.yaml:\d+):\d+:/, '$1:'));
}

describe('routes[].rate_limit', () => {
  it('fills the defaults: by user, burst = requests, admins exempt, open on a store error', () => {
    const result = parseConfigText(withLimit('{ requests: 600, per: 1m }'), 'routes.yaml', {});
    expect(result.problems).toEqual([]);
    expect(result.config!.routes[0]!.rateLimit).toEqual({ by: 'user', requests: 600, perMs: 60_000, burst: 600, adminsExempt: true, failClosed: false });
  });

  it('reads every key', () => {
    const result = parseConfigText(withLimit('{ by: ip, requests: 600, per: 1m, burst: 100, admins: limited, on_store_error: closed }', 'public'), 'routes.yaml', {});
    expect(result.problems).toEqual([]);
    expect(result.config!.routes[0]!.rateLimit).toEqual({ by: 'ip', requests: 600, perMs: 60_000, burst: 100, adminsExempt: false, failClosed: true });
  });

  it('is null on a route without one', () => {
    const result = parseConfigText(withLimit('{ requests: 1, per: 1s }').replace(/    rate_limit:.*\n/, ''), 'routes.yaml', {});
    expect(result.problems).toEqual([]);
    expect(result.config!.routes[0]!.rateLimit).toBeNull();
  });

  it.each([
    // requests per per, burst → points per window (seconds): the time a full burst takes to refill.
    [600, 60_000, 100, { points: 100, windowS: 10 }],
    [600, 60_000, 600, { points: 600, windowS: 60 }],
    [1200, 60_000, 200, { points: 200, windowS: 10 }],
    [10, 1000, 10, { points: 10, windowS: 1 }],
    [100, 1000, 1, { points: 1, windowS: 1 }],
    // Rounded up: the enforced rate is never above the configured one (3 per 26 s ≤ 7 per minute).
    [7, 60_000, 3, { points: 3, windowS: 26 }],
    [10, 3_600_000, 20, { points: 20, windowS: 7200 }],
  ])('maps %i per %i ms with burst %i onto %j', (requests, perMs, burst, expected) => {
    expect(bucketWindow({ requests, perMs, burst })).toEqual(expected);
  });

  it.each([
    ['zero requests', '{ requests: 0, per: 1m }', 'routes.yaml:8: routes[0].rate_limit.requests: must be >= 1, got 0'],
    ['negative requests', '{ requests: -5, per: 1m }', 'routes.yaml:8: routes[0].rate_limit.requests: must be >= 1, got -5'],
    ['fractional requests', '{ requests: 1.5, per: 1m }', 'routes.yaml:8: routes[0].rate_limit.requests: must be integer, got 1.5'],
    ['non-numeric requests', '{ requests: lots, per: 1m }', 'routes.yaml:8: routes[0].rate_limit.requests: must be integer, got "lots"'],
    ['absurd requests', '{ requests: 1000000000, per: 1m }', 'routes.yaml:8: routes[0].rate_limit.requests: must be <= 1000000, got 1000000000'],
    ['zero burst', '{ requests: 10, per: 1m, burst: 0 }', 'routes.yaml:8: routes[0].rate_limit.burst: must be >= 1, got 0'],
    ['negative burst', '{ requests: 10, per: 1m, burst: -1 }', 'routes.yaml:8: routes[0].rate_limit.burst: must be >= 1, got -1'],
    ['zero per', '{ requests: 10, per: 0 }', 'routes.yaml:8: routes[0].rate_limit.per: must be a whole number of seconds, at least 1s (got 0 ms)'],
    ['a negative per', '{ requests: 10, per: -1m }', 'routes.yaml:8: routes[0].rate_limit.per: expected "500ms", "10s", "5m", "1h" or a number of milliseconds, got "-1m"'],
    ['a sub-second per', '{ requests: 10, per: 500ms }', 'routes.yaml:8: routes[0].rate_limit.per: must be a whole number of seconds, at least 1s (got 500 ms)'],
    ['a fractional-second per', '{ requests: 10, per: 1500ms }', 'routes.yaml:8: routes[0].rate_limit.per: must be a whole number of seconds, at least 1s (got 1500 ms)'],
    ['a per over a day', '{ requests: 10, per: 25h }', 'routes.yaml:8: routes[0].rate_limit.per: must be at most 1 day (got 90000 s)'],
    ['a burst that takes over a day to refill', '{ requests: 1, per: 1h, burst: 100 }', 'routes.yaml:8: routes[0].rate_limit.burst: a full burst of 100 would take 360000 s to refill at 1 per 3600 s; at most 1 day: lower burst or raise requests'],
    ['no requests', '{ per: 1m }', 'routes.yaml:8: routes[0].rate_limit: missing required key "requests"'],
    ['no per', '{ requests: 10 }', 'routes.yaml:8: routes[0].rate_limit: missing required key "per"'],
    ['an unknown key', '{ requests: 10, per: 1m, window: 5 }', 'routes.yaml:8: routes[0].rate_limit.window: unknown key "window" (expected one of: by, requests, per, burst, admins, on_store_error)'],
    ['an unknown by', '{ by: session, requests: 10, per: 1m }', 'routes.yaml:8: routes[0].rate_limit.by: must be one of: "user", "api_key", "ip"'],
    ['a bad admins', '{ requests: 10, per: 1m, admins: never }', 'routes.yaml:8: routes[0].rate_limit.admins: must be one of: "exempt", "limited"'],
    ['a bad on_store_error', '{ requests: 10, per: 1m, on_store_error: maybe }', 'routes.yaml:8: routes[0].rate_limit.on_store_error: must be one of: "open", "closed"'],
  ])('refuses %s with file:line:col', (_name, limit, expected) => {
    expect(problemsOf(withLimit(limit))).toContain(expected);
  });

  it('refuses counting by user on a public route, where nobody signs in', () => {
    expect(problemsOf(withLimit('{ requests: 10, per: 1m }', 'public'))).toContain(
      'routes.yaml:8: routes[0].rate_limit.by: a public route has no signed-in user: use "by: ip" (got "user")',
    );
  });
});
