// The merged OpenAPI document and the /docs page, through the real gateway, from
// the real orm, ohlcv and cache apps (real Postgres and the run's Redis): every
// upstream route under its public prefix, the gateway's own routes, valid
// OpenAPI 3.1, and Swagger UI served from local files.
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionSigner } from '../../../../gateway/auth/assertion-signer.ts';
import { createRootRoute } from '../../../../gateway/http/root-route.ts';
import { createOpenApiRoutes } from '../../../../gateway/openapi/routes.ts';
import { UpstreamDocuments } from '../../../../gateway/openapi/upstream-documents.ts';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import type { OhlcvApp } from '../../../../upstreams/ohlcv/app.ts';
import { TEST_ASSERTION_KEY } from '../../../helpers/assertion.ts';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { startCacheHarness, type CacheHarness } from '../../upstreams/cache/harness.ts';
import { buildApp } from '../../upstreams/ohlcv/harness.ts';
import { openOrmHarness, type OrmHarness } from '../../upstreams/orm/harness.ts';
import { request, startTestGateway, type TestGateway } from '../proxy/harness.ts';

let orm: OrmHarness;
let ohlcvDb: Db;
let ohlcv: OhlcvApp;
let cache: CacheHarness;
let gw: TestGateway;

async function listen(app: OrmHarness['app']): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  orm = await openOrmHarness('postgres');
  ohlcvDb = await openDatabase({ url: await workerDatabaseUrl('ohlcv'), name: 'ohlcv' });
  ohlcv = await buildApp(ohlcvDb);
  cache = await startCacheHarness();
  gw = await startTestGateway({
    yaml: `
upstreams:
  orm_api: { url: ${await listen(orm.app)} }
  ohlcv_api: { url: ${await listen(ohlcv.app)} }
  cache_api: { url: ${cache.url} }
  nowhere: { url: http://127.0.0.1:1 }
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
  - { prefix: /api/v1/ohlcv, upstream: ohlcv_api, rewrite: "", auth: user, websocket: true }
  - { prefix: /api/v1/cache, upstream: cache_api, rewrite: "", auth: user, websocket: true }
  - { prefix: /api/v1/gone, upstream: nowhere, rewrite: "", auth: user }
`,
    localRoutes: [createRootRoute('1.2.3')],
  });
  gw.gateway.addLocalRoutes(
    createOpenApiRoutes({
      documents: new UpstreamDocuments({ registry: gw.registry, signer: new AssertionSigner({ key: TEST_ASSERTION_KEY.privateKey, kid: TEST_ASSERTION_KEY.kid }), timeoutMs: 1_000 }),
      config: () => gw.gateway.currentConfig(),
      localRoutes: () => gw.gateway.localRoutes(),
      version: '1.2.3',
    }),
  );
});
afterAll(async () => {
  await gw?.close();
  await cache?.close();
  await ohlcv?.app.close();
  await ohlcvDb?.close();
  await orm?.close();
});

describe('GET /openapi.json', () => {
  it('merges every upstream under its public prefix with the gateway\'s own routes, as valid OpenAPI 3.1', async () => {
    const res = await request(`${gw.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: 'Fullon Master API', version: '1.2.3' } });
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/', '/openapi.json', '/docs', '/api/v1/orm/users/me', '/api/v1/orm/api_keys/me']));
    expect(paths.some((path) => path.startsWith('/api/v1/ohlcv/'))).toBe(true);
    expect(paths.some((path) => path.startsWith('/api/v1/cache/'))).toBe(true);
    // Nothing service-only or unrouted leaks into the public document.
    expect(paths.filter((path) => path.includes('/internal/') || path.endsWith('/openapi.json') && path !== '/openapi.json')).toEqual([]);
    expect(paths.every((path) => path === '/' || path.startsWith('/api/v1/') || path.startsWith('/openapi') || path.startsWith('/docs'))).toBe(true);
    expect(doc.paths['/api/v1/orm/users/me'].get.security).toBeDefined();
    expect(doc['x-unavailable-upstreams']).toEqual(['nowhere']);
    const validation = await new Validator().validate(doc);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it('is public', async () => {
    const res = await request(`${gw.url}/openapi.json`, { headers: { authorization: 'Bearer bad' } });
    expect(res.status).toBe(200);
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI pointing at /openapi.json, with its assets from local files', async () => {
    const page = await request(`${gw.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const init = await request(`${gw.url}/docs/swagger-initializer.js`);
    expect(init.text).toContain('"/openapi.json"');
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']) {
      const res = await request(`${gw.url}/docs/${asset}`);
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(1000);
    }
  });

  it.each([
    ['package.json', 404],
    ['swagger-ui-bundle.js.map', 404],
    ['index.html', 404],
    ['..%2Fpackage.json', 400],
  ])('answers /docs/%s with %i (only the listed assets are served)', async (asset, status) => {
    const res = await request(`${gw.url}/docs/${asset}`);
    expect(res.status).toBe(status);
  });

  it('is named by GET /', async () => {
    expect((await request(`${gw.url}/`)).json()).toMatchObject({ service: 'Fullon Master API', docs: '/docs' });
  });
});
