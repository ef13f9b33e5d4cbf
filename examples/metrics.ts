// Example: Prometheus metrics (docs/metrics.md). GET /metrics is not public: no
// credentials → 401, a regular user → 403; an admin (token or key), or an API key
// with the metrics:read scope that only an admin can grant, scrapes the text
// format. A few requests later the request counter of the /api/v1/orm prefix has
// moved, the refusal was counted by reason, and no path id or token is a label.
// Each supervised process's own metrics (database pool, cache store, WebSockets,
// collector lag) come through the gateway too: GET /metrics/<service>, same rule.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/metrics.ts
import assert from 'node:assert/strict';
import { createUser, fetchJson, login, loginAsAdmin } from './lib/client.ts';

/** Sum of the samples of `name` whose labels include every `want` pair. */
function sample(text: string, name: string, want: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = line.slice(name.length, line.lastIndexOf(' '));
    if (Object.entries(want).every(([key, value]) => labels.includes(`${key}="${value}"`))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function scrape(credentials: { token?: string; apiKey?: string }, path = '/metrics'): Promise<string> {
  const answer = await fetchJson<string>(path, credentials);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
  return answer.body;
}

async function main(): Promise<void> {
  // Without credentials the scrape is refused.
  const anonymous = await fetchJson('/metrics');
  assert.equal(anonymous.status, 401);
  assert.ok(typeof anonymous.body.detail === 'string');

  const token = await loginAsAdmin();
  const before = await scrape({ token });
  for (const name of ['gateway_requests_total', 'gateway_request_duration_seconds', 'gateway_upstream_up', 'gateway_service_state', 'gateway_websockets_open', 'gateway_config_reloads_total', 'gateway_rate_limited_total']) {
    assert.ok(before.includes(`# TYPE ${name} `), `${name} is exported`);
  }
  const orm2xx = { prefix: '/api/v1/orm', status_class: '2xx' };
  const unauthorized = { reason: 'UNAUTHORIZED' };

  // Some traffic: three good orm reads, one refused for lack of credentials.
  const user = await createUser(token, 'metrics');
  for (let i = 0; i < 3; i++) assert.equal((await fetchJson(`/api/v1/orm/users/${user.uid}`, { token })).status, 200);
  assert.equal((await fetchJson('/api/v1/orm/users/me')).status, 401);

  const after = await scrape({ token });
  const moved = sample(after, 'gateway_requests_total', orm2xx) - sample(before, 'gateway_requests_total', orm2xx);
  assert.ok(moved >= 3, `orm 2xx counter moved by ${moved}`);
  assert.ok(sample(after, 'gateway_request_duration_seconds_count', orm2xx) >= 3);
  assert.ok(sample(after, 'gateway_auth_failures_total', unauthorized) > sample(before, 'gateway_auth_failures_total', unauthorized), '401 counted by reason');
  assert.equal(sample(after, 'gateway_upstream_up', { upstream: 'orm_api' }), 1, 'orm_api is up');
  // Labels are route prefixes: the user id in the path and the token never appear.
  assert.ok(!after.includes(`/api/v1/orm/users/${user.uid}"`), 'no raw path as a label');
  assert.ok(!after.includes(token), 'no token in the metrics');

  // A regular user may not scrape, nor grant themselves the scope.
  const userToken = await login(user.mail, user.password);
  assert.equal((await fetchJson('/metrics', { token: userToken })).status, 403);
  assert.equal((await fetchJson('/api/v1/orm/api_keys/me', { token: userToken, body: { name: 'scraper', scopes: ['metrics:read'] } })).status, 422);

  // What Prometheus would use: an API key with the metrics:read scope, granted by the admin.
  const made = await fetchJson('/api/v1/orm/api_keys/me', { token, body: { name: 'prometheus scraper', scopes: ['metrics:read'] } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const apiKey = String(made.body.key ?? made.body.api_key);
  assert.ok(sample(await scrape({ apiKey }), 'gateway_requests_total', orm2xx) >= moved);

  // The upstreams' own metrics, through the gateway with the same key.
  const orm = await scrape({ apiKey }, '/metrics/orm_api');
  assert.ok(sample(orm, 'db_pool_connections', { service: 'orm_api', state: 'total' }) >= 1, "the orm's database pool");
  const cache = await scrape({ apiKey }, '/metrics/cache_api');
  assert.equal(sample(cache, 'cache_store_up', { service: 'cache_api' }), 1, 'the cache store is up');
  assert.equal((await fetchJson('/metrics/orm_api', { token: userToken })).status, 403);
  assert.equal((await fetchJson('/metrics/no_such_service', { token })).status, 404);
  assert.equal((await fetchJson(`/api/v1/orm/api_keys/${made.body.api_key_id}/deactivate`, { token, method: 'PATCH' })).status, 200);

  console.log(`metrics: ok (orm 2xx requests +${moved}; anonymous scrape 401, regular user 403)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
