// Example: the API describes itself as FastAPI did, and browsers may call it.
// 1. GET /openapi.json: one OpenAPI 3.1 document with the gateway's own routes and
//    every upstream's routes under their public prefixes (what
//    example_swagger_docs.py of the original reads).
// 2. GET /docs: Swagger UI, served from local files; GET / names it.
// 3. CORS as the original configured it: a browser's preflight is answered at the
//    edge (no credentials needed), and answers carry the CORS headers.
// Run: GATEWAY_URL=http://127.0.0.1:8000 npx node examples/openapi_docs.ts
import assert from 'node:assert/strict';
import { fetchJson, gatewayUrl } from './lib/client.ts';

async function main(): Promise<void> {
  // 1. The document.
  const doc = await fetchJson('/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.1.0');
  assert.equal(doc.body.info.title, 'Fullon Master API');
  const paths = Object.keys(doc.body.paths);
  for (const path of ['/api/v1/auth/login', '/health', '/api/v1/services', '/api/v1/orm/users/me']) assert.ok(paths.includes(path), `${path} missing from /openapi.json`);
  assert.ok(paths.some((path) => path.startsWith('/api/v1/ohlcv/')), 'no ohlcv paths');
  assert.ok(paths.some((path) => path.startsWith('/api/v1/cache/')), 'no cache paths');
  assert.ok(doc.body.paths['/api/v1/orm/users/me'].get.security, 'user routes say they need credentials');
  console.log(`${paths.length} paths documented`);

  // 2. The interactive page, and GET / pointing at it.
  const page = await fetch(`${gatewayUrl()}/docs`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /swagger-ui-bundle\.js/);
  const bundle = await fetch(`${gatewayUrl()}/docs/swagger-ui-bundle.js`);
  assert.equal(bundle.status, 200);
  await bundle.arrayBuffer();
  assert.equal((await fetchJson('/')).body.docs, '/docs');

  // 3. CORS: a dashboard on another origin may call the API.
  const origin = 'http://localhost:3000';
  const preflight = await fetch(`${gatewayUrl()}/api/v1/orm/bots`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
  assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
  const refused = await fetchJson('/api/v1/orm/users/me', { headers: { origin } });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('access-control-allow-origin'), origin, 'errors carry the CORS headers too');

  console.log('openapi_docs: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
