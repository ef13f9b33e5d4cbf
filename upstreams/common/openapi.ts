// OpenAPI for the upstreams: each route describes itself with the same zod
// schemas that validate it, and every upstream serves its document at
// OPENAPI_PATH (behind the gateway assertion) for the gateway to merge.
//
// The schemas are documentation only: createUpstreamApp installs a validator
// compiler that accepts everything and a serializer that is plain JSON.stringify,
// so validation stays in parseOr422 (FastAPI-shaped 422s) and a response schema
// never strips fields from an answer. So a route carries its zod schemas in its
// config, and they become JSON Schema only when the document is first asked for:
// converting the orm's ~100 routes took ~0.15–0.2 s of every start, on the cores
// the other starting processes need (docs/cold-start.md).
//
// How a route declares its schema (one call, next to the handler):
//
//   import { describeRoute } from '../../common/openapi.ts';
//
//   app.post('/api_keys/me', describeRoute({
//     tags: ['api keys'],
//     summary: 'Create an API key for the caller',
//     body: createKeySchema,                // the zod schema parseOr422 uses
//     response: { 200: apiKeySchema },      // optional; zod or { description }
//   }), async (request) => {
//     const body = parseOr422(createKeySchema, request.body, 'body');
//     ...
//   });
//
// `params` and `query` take z.object schemas (each property becomes a parameter).
// A route without describeRoute still appears in the document (path and method);
// routes under /internal/ (service-only, answered to the gateway alone) never do.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifySchema, type RouteOptions } from 'fastify';
import { z } from 'zod';

/** Where each upstream serves its own document (assertion required, like any route). */
export const OPENAPI_PATH = '/openapi.json';

/** Key in route `config` that keeps a route out of the document (its own /openapi.json). */
const HIDDEN = 'openapiHidden';

export interface RouteDoc {
  summary?: string;
  description?: string;
  tags?: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → zod schema of the answer, or just its description. */
  response?: Record<number, z.ZodType | { description: string }>;
  deprecated?: boolean;
  /**
   * The route also answers anonymous callers (the gateway's `auth: public`
   * routes; createUpstreamApp refuses them everywhere else). Public market data
   * reads only: a handler here must not need request.identity.
   */
  anonymous?: boolean;
}

type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema. `io` picks the
 * input side (what a client sends: before transforms and defaults) or the output
 * side (what a route answers). Parts JSON Schema cannot say (transforms, custom
 * refinements) become `{}` rather than failing the document.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** Key in route `config` under which describeRoute keeps the route's RouteDoc until the document is built. */
const DOC = 'openapiDoc';

/** Route options carrying the route's documentation (and `anonymous`, which createUpstreamApp enforces). */
export function describeRoute(doc: RouteDoc): { config: { [DOC]: RouteDoc; anonymous?: true } } {
  return { config: doc.anonymous ? { [DOC]: doc, anonymous: true } : { [DOC]: doc } };
}

/** The documentation-only fastify `schema` of a RouteDoc (JSON Schema from its zod schemas). */
function routeSchema(doc: RouteDoc): FastifySchema {
  const schema: Record<string, unknown> = {};
  if (doc.summary) schema.summary = doc.summary;
  if (doc.description) schema.description = doc.description;
  if (doc.tags) schema.tags = doc.tags;
  if (doc.deprecated) schema.deprecated = true;
  if (doc.params) schema.params = toJsonSchema(doc.params, 'input');
  if (doc.query) schema.querystring = toJsonSchema(doc.query, 'input');
  if (doc.body) schema.body = toJsonSchema(doc.body, 'input');
  if (doc.response) {
    schema.response = Object.fromEntries(
      Object.entries(doc.response).map(([status, value]) => [
        status,
        value instanceof z.ZodType ? { description: 'Successful Response', ...toJsonSchema(value, 'output') } : value,
      ]),
    );
  }
  return schema as FastifySchema;
}

export interface OpenApiOptions {
  /** Upstream name, used in the title. */
  name: string;
  version?: string;
}

/**
 * Makes route schemas documentation-only, records every route as it is added,
 * and serves the document at OPENAPI_PATH. Called by createUpstreamApp before
 * any route exists, so no route is missed.
 */
export function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config && (route.config as Record<string, unknown>)[HIDDEN]) return;
    routes.push(route);
  });

  let document: Promise<JsonSchema> | null = null;
  app.get(OPENAPI_PATH, { config: { [HIDDEN]: true } }, async () => {
    // Built once, on first ask: every route is known by then (the app is listening).
    document ??= buildDocument(routes, options).catch((error: unknown) => {
      document = null;
      throw error;
    });
    return document;
  });
}

/**
 * @fastify/swagger collects routes through an onRoute hook that exists only once
 * the plugin has loaded (after the routes were declared), so the document is
 * built by a throwaway instance that the recorded routes are replayed into.
 */
async function buildDocument(routes: RouteOptions[], options: OpenApiOptions): Promise<JsonSchema> {
  const builder = Fastify({ logger: false });
  builder.setValidatorCompiler(() => () => true);
  builder.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await builder.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `fullon ${options.name}`, version: options.version ?? '0.0.0' },
    },
  });
  const seen = new Set<string>();
  for (const route of routes) {
    for (const method of [route.method].flat()) {
      const key = `${method} ${route.url}`;
      if (method === 'HEAD' || seen.has(key) || route.url.startsWith('/internal/')) continue;
      seen.add(key);
      const doc = (route.config as Record<string, unknown> | undefined)?.[DOC] as RouteDoc | undefined;
      builder.route({ method, url: route.url, schema: doc ? routeSchema(doc) : route.schema, handler: async () => null });
    }
  }
  await builder.ready();
  const doc = builder.swagger() as unknown as JsonSchema;
  await builder.close();
  return doc;
}
