// Example: per-route rate limits (docs/rate-limits.md). A signed-in user sees the
// shipped limit in the IETF RateLimit-Policy / RateLimit fields of an ordinary
// answer; a route with a tight limit (added to routes.yaml and hot-reloaded) lets
// 3 requests through, then answers 429 with Retry-After and {"detail": ...};
// admins are exempt; `npm run check` and the running gateway refuse a limit of
// zero (the old limit stays); a raised limit applies to the next request.
// The runner passes ROUTES_FILE (a temp copy of routes.yaml) and STUB_UPSTREAM_URL.
// Run: ROUTES_FILE=... STUB_UPSTREAM_URL=... GATEWAY_URL=... ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/rate_limit.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { parseDocument } from 'yaml';
import { createUser, fetchJson, gatewayUrl, login, loginAsAdmin, waitFor } from './lib/client.ts';

const ROUTES_FILE = process.env.ROUTES_FILE;
const STUB_UPSTREAM_URL = process.env.STUB_UPSTREAM_URL;

async function main(): Promise<void> {
  assert.ok(ROUTES_FILE, 'set ROUTES_FILE to the routes.yaml the gateway runs with (the runner does)');
  assert.ok(STUB_UPSTREAM_URL, 'set STUB_UPSTREAM_URL to an upstream the limited route can point at (the runner does)');
  const admin = await loginAsAdmin();
  const { mail, password } = await createUser(admin, 'ratelimit', { name: 'Rate', lastname: 'Limited' });
  const token = await login(mail, password);

  // 1. The shipped limit, as any answer of a limited route shows it: 200 requests
  //    per 10 s window per user (1200 a minute in bursts of 200), and what is left.
  const me = await fetchJson('/api/v1/orm/users/me', { token });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.headers.get('ratelimit-policy'), '"user";q=200;w=10');
  assert.match(me.headers.get('ratelimit') ?? '', /^"user";r=199;t=\d+$/);
  console.log(`GET /api/v1/orm/users/me → 200, RateLimit-Policy: ${me.headers.get('ratelimit-policy')}, RateLimit: ${me.headers.get('ratelimit')}`);
  // Admins are exempt by default: not counted, no fields.
  const asAdmin = await fetchJson('/api/v1/orm/users/me', { token: admin });
  assert.equal(asAdmin.status, 200);
  assert.equal(asAdmin.headers.get('ratelimit'), null);

  const original = await readFile(ROUTES_FILE, 'utf8');
  const prefix = `/examples/limited-${randomBytes(3).toString('hex')}`;
  const upstream = `example_limited_${randomBytes(3).toString('hex')}`;
  const withLimit = (limit: Record<string, unknown>) => {
    const doc = parseDocument(original);
    doc.setIn(['upstreams', upstream], doc.createNode({ url: STUB_UPSTREAM_URL }));
    doc.addIn(['routes'], doc.createNode({ prefix, upstream, rewrite: '', auth: 'user', rate_limit: limit }));
    return doc.toString();
  };
  // One keep-alive connection, as a trading client's HTTP session keeps: it is served
  // by one gateway worker. Counts are shared by all workers only through REDIS_URL;
  // without it each worker counts alone (docs/rate-limits.md), so the exact
  // countdown below holds on this connection either way.
  const session = new Agent({ connections: 1 });
  const hit = async () => {
    const answer = await request(`${gatewayUrl()}${prefix}/quotes`, { dispatcher: session, headers: { authorization: `Bearer ${token}` } });
    const text = await answer.body.text();
    const header = (name: string) => (answer.headers[name] === undefined ? null : String(answer.headers[name]));
    return { status: answer.statusCode, header, body: text ? JSON.parse(text) : null };
  };

  try {
    // 2. A route with 3 requests a minute for each user, hot-reloaded.
    await writeFile(ROUTES_FILE, withLimit({ by: 'user', requests: 3, per: '1m' }));
    // Waiting as the admin: exempt, so the wait spends none of the user's allowance.
    await waitFor('the limited route to be served', async () => (await fetchJson(`${prefix}/quotes`, { token: admin })).status === 200);
    for (const left of [2, 1, 0]) {
      const answer = await hit();
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.header('ratelimit-policy'), '"user";q=3;w=60');
      assert.match(answer.header('ratelimit') ?? '', new RegExp(`^"user";r=${left};t=\\d+$`));
    }
    const refused = await hit();
    assert.equal(refused.status, 429);
    assert.match(refused.body.detail, /^Rate limit exceeded; retry in \d+ s$/);
    const retryAfter = Number(refused.header('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(refused.header('x-gateway-error'), 'RATE_LIMITED');
    assert.equal(refused.header('ratelimit'), `"user";r=0;t=${retryAfter}`);
    console.log(`4th request in the minute → 429 ${JSON.stringify(refused.body)}, Retry-After: ${retryAfter}`);
    assert.equal((await fetchJson(`${prefix}/quotes`, { token: admin })).status, 200, 'admins are exempt');

    // 3. A limit of zero: `npm run check` says where, the gateway refuses the reload and keeps the old limit.
    const failuresBefore = await reloadFailures();
    await writeFile(ROUTES_FILE, withLimit({ requests: 0, per: '1m' }));
    const check = spawnSync(process.execPath, ['gateway/cli/check.ts', ROUTES_FILE], { encoding: 'utf8' });
    assert.equal(check.status, 1, check.stdout);
    assert.match(check.stdout, /:\d+:\d+: routes\[\d+\]\.rate_limit\.requests: must be >= 1, got 0/);
    console.log(`check refuses requests: 0:\n  ${check.stdout.split('\n')[0]}`);
    await waitFor('the gateway to refuse the file', async () => (await reloadFailures()) > failuresBefore);
    assert.equal((await hit()).header('ratelimit-policy'), '"user";q=3;w=60', 'the old limit still applies');

    // 4. A raised limit applies to the next request, with a fresh count.
    await writeFile(ROUTES_FILE, withLimit({ requests: 10, per: '1m' }));
    await waitFor('the raised limit', async () => (await hit()).header('ratelimit-policy') === '"user";q=10;w=60');
    const after = await hit();
    assert.equal(after.status, 200);
    assert.match(after.header('ratelimit') ?? '', /^"user";r=[0-9];t=\d+$/);
    console.log(`raised to 10 a minute: 200, RateLimit: ${after.header('ratelimit')}`);
  } finally {
    await writeFile(ROUTES_FILE, original);
    await session.close();
  }
  await waitFor('the original routes to be back', async () => (await fetchJson(`${prefix}/quotes`, { token: admin })).status === 404);
  console.log('restored the original routes.yaml');
}

/** Refused reloads so far, as ops see them in /health/monitor. */
async function reloadFailures(): Promise<number> {
  const monitor = await fetchJson<{ reload: { failures: number } }>('/health/monitor');
  assert.equal(monitor.status, 200, 'GET /health/monitor');
  return monitor.body.reload.failures;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
