import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../../../gateway/config/types.ts';
import { mergeOpenApi, type OpenApiDocument } from '../../../../gateway/openapi/merge.ts';
import type { LocalRoute } from '../../../../gateway/pipeline/context.ts';

const route = (prefix: string, upstream: string, auth: RouteConfig['auth'] = 'user', rewrite: string | null = ''): RouteConfig => ({
  prefix, upstream, rewrite, auth, websocket: false, timeoutMs: 1000, bodyLimitBytes: 1024, forwardAuthorization: false, rateLimit: null,
});
const local = (method: LocalRoute['method'], path: string, auth: LocalRoute['auth'] = 'public'): LocalRoute => ({ method, path, auth, handle: () => ({ status: 200, body: null }) });
const upstreamDoc = (paths: Record<string, unknown>, schemas: Record<string, unknown> = {}): OpenApiDocument => ({ openapi: '3.1.0', info: { title: 'u', version: '1' }, paths, components: { schemas } });

function merge(overrides: Partial<Parameters<typeof mergeOpenApi>[0]> = {}) {
  return mergeOpenApi({
    info: { title: 'Fullon Master API', version: '9.9.9', description: 'd' },
    localRoutes: [local('GET', '/'), local('POST', '/api/v1/auth/login'), local('GET', '/api/v1/services/:name/status', 'admin'), local('GET', '/docs/:asset')],
    // Longest prefix first, as GatewayConfig keeps them.
    routes: [route('/api/v1/orm/public', 'other', 'public'), route('/api/v1/orm', 'orm_api'), route('/api/v1/ohlcv', 'ohlcv_api')],
    upstreamDocs: new Map([
      ['orm_api', upstreamDoc({
        '/users/me': { get: { summary: 'me', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/def-0' } } } } } } },
        '/public/x': { get: { responses: { '200': { description: 'ok' } } } },
        '/openapi.json': { get: { responses: { '200': { description: 'ok' } } } },
      }, { 'def-0': { type: 'object' } })],
      ['ohlcv_api', upstreamDoc({ '/candles/{exchange}/{symbol}': { get: { tags: ['candles'], responses: { '200': { description: 'ok' } } } } }, { 'def-0': { type: 'string' } })],
    ]),
    unavailable: [],
    ...overrides,
  });
}

describe('mergeOpenApi', () => {
  it('publishes upstream paths under their public prefixes, with the gateway\'s own, as valid OpenAPI 3.1', async () => {
    const doc = merge();
    expect(Object.keys(doc.paths)).toEqual([
      '/',
      '/api/v1/auth/login',
      '/api/v1/ohlcv/candles/{exchange}/{symbol}',
      '/api/v1/orm/users/me',
      '/api/v1/services/{name}/status',
    ]);
    expect(doc.info).toMatchObject({ title: 'Fullon Master API', version: '9.9.9' });
    expect(await new Validator().validate(doc)).toMatchObject({ valid: true });
  });

  it('leaves a path to the route that answers it (longest prefix) and never publishes an upstream\'s own document', () => {
    const doc = merge();
    expect(doc.paths['/api/v1/orm/public/x']).toBeUndefined();
    expect(doc.paths['/api/v1/orm/openapi.json']).toBeUndefined();
    expect(doc.paths['/docs/{asset}']).toBeUndefined();
  });

  it('keeps upstream schemas apart and their references pointing at them', () => {
    const doc = merge();
    expect(doc.components.schemas).toEqual({ 'orm_api_def-0': { type: 'object' }, 'ohlcv_api_def-0': { type: 'string' } });
    expect(doc.paths['/api/v1/orm/users/me'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/orm_api_def-0' });
  });

  it('marks what needs credentials, and tags untagged operations with their area', () => {
    const doc = merge();
    expect(doc.paths['/api/v1/orm/users/me'].get).toMatchObject({ tags: ['orm'], security: [{ bearerAuth: [] }, { apiKeyAuth: [] }, { oauth2: [] }] });
    expect(doc.paths['/api/v1/ohlcv/candles/{exchange}/{symbol}'].get.tags).toEqual(['candles']);
    expect(doc.paths['/api/v1/auth/login'].post.security).toBeUndefined();
    expect(doc.paths['/api/v1/services/{name}/status'].get).toMatchObject({ tags: ['services'], security: expect.any(Array), parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }] });
    expect(doc.components.securitySchemes.oauth2.flows.password.tokenUrl).toBe('/api/v1/auth/login');
  });

  it('lists an upstream whose document could not be read, and still answers', async () => {
    const doc = merge({ upstreamDocs: new Map(), unavailable: ['orm_api', 'ohlcv_api'] });
    expect(doc['x-unavailable-upstreams']).toEqual(['orm_api', 'ohlcv_api']);
    expect(doc.paths['/api/v1/auth/login']).toBeDefined();
    expect(await new Validator().validate(doc)).toMatchObject({ valid: true });
  });
});
