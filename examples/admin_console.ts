// Example: the admin console (docs/console.md). /console is a static page anyone
// may load; everything it shows comes from admin APIs called with the admin's
// token, like this script does: the services, and the route table with its auth
// policies and the last reload (GET /api/v1/config/routes, admin only, no URLs or
// env values from routes.yaml). Without a token that read is 401.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/admin_console.ts
// Then open http://127.0.0.1:8000/console in a browser and sign in as the admin.
import assert from 'node:assert/strict';
import { adminCredentials, fetchJson, gatewayUrl, loginAsAdmin } from './lib/client.ts';

async function main(): Promise<void> {
  assert.ok(adminCredentials().password, 'set ADMIN_PASSWORD');
  const page = await fetch(`${gatewayUrl()}/console`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await page.text(), /<script type="module" src="\/console\/app.js">/);

  assert.equal((await fetchJson('/api/v1/config/routes')).status, 401, 'the route table is not public');
  const token = await loginAsAdmin();
  const view = await fetchJson<{ routes: Array<{ prefix: string; upstream: string; auth: string }>; upstreams: Array<{ name: string; managed: boolean }>; reload: { ok: boolean; errors: string[] } }>('/api/v1/config/routes', { token });
  assert.equal(view.status, 200);
  const orm = view.body.routes.find((route) => route.prefix === '/api/v1/orm');
  assert.deepEqual(orm && { upstream: orm.upstream, auth: orm.auth }, { upstream: 'orm_api', auth: 'user' });
  assert.equal(view.body.reload.ok, true);
  assert.ok(!JSON.stringify(view.body).includes('http://'), 'no upstream URL is shown');
  const services = await fetchJson<{ services: Record<string, { status: string }> }>('/api/v1/services', { token });
  assert.equal(services.status, 200);
  console.log(`console at ${gatewayUrl()}/console: ${view.body.routes.length} routes, ${Object.keys(services.body.services).length} services`);
}

await main();
