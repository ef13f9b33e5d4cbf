// Upstream routes describe themselves from their zod schemas; the schemas document
// but never validate (parseOr422 does) nor reshape answers.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createUpstreamApp } from '../../../../upstreams/common/server.ts';
import { OPENAPI_PATH, describeRoute } from '../../../../upstreams/common/openapi.ts';
import { parseOr422 } from '../../../../upstreams/common/validate.ts';
import { TEST_ASSERTION_ENV, signTestAssertion } from '../../../helpers/assertion.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

const bodySchema = z.object({ name: z.string().min(1), scopes: z.array(z.string()).default([]) });
const answerSchema = z.object({ id: z.number().int(), name: z.string() });

function buildApp(): FastifyInstance {
  const app = createUpstreamApp({ name: 'demo', logger: pino({ level: 'silent' }), env: TEST_ASSERTION_ENV });
  apps.push(app);
  app.post('/things/:thing_id', describeRoute({
    tags: ['things'],
    summary: 'Create a thing',
    params: z.object({ thing_id: z.coerce.number().int().min(1) }),
    query: z.object({ dry_run: z.enum(['true', 'false']).optional() }),
    body: bodySchema,
    response: { 200: answerSchema, 404: { description: 'No such thing' } },
  }), async (request) => {
    const body = parseOr422(bodySchema, request.body, 'body');
    return { id: 1, name: body.name, extra: 'kept' };
  });
  app.get('/plain', async () => ({ ok: true }));
  app.get('/internal/secret', async () => ({ ok: true }));
  return app;
}

async function fetchDocument(app: FastifyInstance) {
  const assertion = await signTestAssertion('demo', { userId: 1 });
  return app.inject({ method: 'GET', url: OPENAPI_PATH, headers: { 'x-gateway-assertion': assertion } });
}

describe('upstream OpenAPI document', () => {
  it('describes every route from its zod schemas and validates as OpenAPI 3.1', async () => {
    const app = buildApp();
    const response = await fetchDocument(app);
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/things/{thing_id}'].post;
    expect(create).toMatchObject({ tags: ['things'], summary: 'Create a thing' });
    expect(create.parameters).toEqual(expect.arrayContaining([
      expect.objectContaining({ in: 'path', name: 'thing_id', required: true }),
      expect.objectContaining({ in: 'query', name: 'dry_run' }),
    ]));
    expect(create.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name'] });
    expect(create.responses['200'].content['application/json'].schema.properties).toHaveProperty('id');
    expect(create.responses['404'].description).toBe('No such thing');
    expect(doc.paths['/plain'].get).toBeDefined();
    expect(doc.paths[OPENAPI_PATH]).toBeUndefined();
    expect(doc.paths['/internal/secret']).toBeUndefined();
    const result = await new Validator().validate(doc);
    expect(result).toMatchObject({ valid: true });
  });

  it('converts the zod schemas only when the document is first asked for, not while routes are declared (cold start)', async () => {
    const app = createUpstreamApp({ name: 'demo', logger: pino({ level: 'silent' }), env: TEST_ASSERTION_ENV });
    apps.push(app);
    const declared: Array<{ url: string; schema: unknown }> = [];
    app.addHook('onRoute', (route) => void declared.push({ url: route.url, schema: route.schema }));
    app.post('/things', describeRoute({ summary: 'Create a thing', body: bodySchema, response: { 200: answerSchema } }), async () => ({ id: 1, name: 'x' }));
    await app.ready();
    expect(declared.find((route) => route.url === '/things')).toEqual({ url: '/things', schema: undefined });
    const doc = (await fetchDocument(app)).json();
    expect(doc.paths['/things'].post.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name'] });
  });

  it('keeps validation in parseOr422 (FastAPI 422) and never strips fields from answers', async () => {
    const app = buildApp();
    const assertion = await signTestAssertion('demo', { userId: 1 });
    const bad = await app.inject({ method: 'POST', url: '/things/1', headers: { 'x-gateway-assertion': assertion }, payload: { name: '' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0]).toMatchObject({ loc: ['body', 'name'] });
    const good = await app.inject({ method: 'POST', url: '/things/1', headers: { 'x-gateway-assertion': assertion }, payload: { name: 'x', unknown: 1 } });
    expect(good.json()).toEqual({ id: 1, name: 'x', extra: 'kept' });
  });

  it('is not served without a gateway assertion', async () => {
    const app = buildApp();
    const response = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    expect(response.statusCode).toBe(401);
  });
});
