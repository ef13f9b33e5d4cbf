// The shipped routes.yaml: valid, and only the orm is critical for /health/check
// (it answers every login and API-key check; the others down leave the gateway
// serving the rest, "degraded"). The behaviour itself is in examples/health_check.ts
// and tests/unit/gateway/health/routes.test.ts; this pins the shipped decision
// and that the file says why.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../../gateway/config/load.ts';

const FILE = resolve(import.meta.dirname, '../../../../routes.yaml');

describe('the shipped routes.yaml', () => {
  it('marks only the orm (the auth upstream) critical', async () => {
    const loaded = await loadConfigFile(FILE, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const critical = Object.fromEntries([...loaded.config.upstreams.values()].map((upstream) => [upstream.name, upstream.health?.critical ?? false]));
    expect(critical).toEqual({ orm_api: true, ohlcv_api: false, cache_api: false });
  });

  it('explains the critical flag in a comment next to it', () => {
    const text = readFileSync(FILE, 'utf8');
    const comment = text.slice(0, text.indexOf('critical: true'));
    expect(comment).toMatch(/# critical: \/health\/check .* 503 while the orm is/s);
  });

  it('limits every API route per user, admins exempt, with a comment saying why those numbers', async () => {
    const loaded = await loadConfigFile(FILE, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    for (const route of loaded.config.routes) {
      expect(route.rateLimit, route.prefix).toEqual({ by: 'user', requests: 1200, perMs: 60_000, burst: 200, adminsExempt: true, failClosed: false });
    }
    const text = readFileSync(FILE, 'utf8');
    expect(text.slice(0, text.indexOf('rate_limit:'))).toMatch(/# Rate limits .*A normal client stays far below.*A loop without a sleep/s);
  });
});
