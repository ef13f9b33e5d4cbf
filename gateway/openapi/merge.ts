// One OpenAPI 3.1 document for the whole gateway: each upstream's own document
// (served by upstreams/common/openapi.ts) with its paths moved under the public
// prefix of every route that reaches them, plus the gateway's own endpoints.
// Pure: the caller fetches the upstream documents.
import type { RouteConfig } from '../config/types.ts';
import type { LocalRoute } from '../pipeline/context.ts';
import { SECURED, describeLocalRoutes } from './gateway-operations.ts';
import { publicPathOf } from './public-paths.ts';

export type OpenApiDocument = Record<string, any>;

export interface MergeInput {
  info: { title: string; version: string; description: string };
  localRoutes: readonly LocalRoute[];
  /** Longest prefix first, as GatewayConfig keeps them. */
  routes: readonly RouteConfig[];
  upstreamDocs: ReadonlyMap<string, OpenApiDocument>;
  /** Upstreams whose document could not be read now (listed, not fatal). */
  unavailable: readonly string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The upstream's own document and health probe are not part of the public API. */
const UNPUBLISHED = new Set(['/openapi.json']);

export function mergeOpenApi(input: MergeInput): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = describeLocalRoutes(input.localRoutes);
  const schemas: Record<string, unknown> = {};
  const tags = new Map<string, string>([
    ['auth', 'Login and tokens'],
    ['services', 'Supervised services (admin)'],
    ['health', 'Gateway health'],
    ['gateway', 'The gateway itself'],
  ]);
  for (const route of input.routes) {
    const doc = input.upstreamDocs.get(route.upstream);
    if (!doc) continue;
    const area = route.prefix.split('/').filter(Boolean).pop() ?? route.upstream;
    tags.set(area, tags.get(area) ?? `${area} (upstream ${route.upstream}, under ${route.prefix})`);
    const renamed = renameSchemas(doc, route.upstream);
    Object.assign(schemas, renamed.schemas);
    for (const [upstreamPath, item] of Object.entries<Record<string, any>>(renamed.paths)) {
      if (UNPUBLISHED.has(upstreamPath)) continue;
      const publicPath = publicPathOf(upstreamPath, route);
      // Another route with a longer prefix owns this public path: it answers there, not us.
      if (publicPath === null || ownerOf(publicPath, input.routes) !== route) continue;
      const target = (paths[publicPath] ??= {});
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation || target[method]) continue;
        target[method] = {
          ...operation,
          tags: operation.tags?.length ? operation.tags : [area],
          ...(route.auth === 'public' ? {} : { security: SECURED }),
        };
      }
      for (const [key, value] of Object.entries(item)) if (!METHODS.includes(key) && !(key in target)) target[key] = value;
    }
  }
  return {
    openapi: '3.1.0',
    info: { ...input.info },
    ...(input.unavailable.length > 0 ? { 'x-unavailable-upstreams': [...input.unavailable] } : {}),
    tags: [...tags].map(([name, description]) => ({ name, description })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        // What FastAPI's OAuth2PasswordBearer offered: Swagger UI's "Authorize" logs in with mail + password.
        oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/login', scopes: {} } } },
      },
    },
  };
}

/** The route that answers a public path (longest prefix, whole segments), as the route table decides. */
function ownerOf(publicPath: string, routes: readonly RouteConfig[]): RouteConfig | undefined {
  return routes.find((route) => route.prefix === '/' || publicPath === route.prefix || publicPath.startsWith(`${route.prefix}/`));
}

/** Prefixes an upstream's component schemas with its name, so two upstreams' "def-0" never collide. */
function renameSchemas(doc: OpenApiDocument, upstream: string): { paths: Record<string, any>; schemas: Record<string, unknown> } {
  const names = Object.keys(doc.components?.schemas ?? {});
  if (names.length === 0) return { paths: doc.paths ?? {}, schemas: {} };
  const text = JSON.stringify({ paths: doc.paths ?? {}, schemas: doc.components.schemas }).replace(
    /"#\/components\/schemas\/([^"]+)"/g,
    (_match, name: string) => JSON.stringify(`#/components/schemas/${upstream}_${name}`),
  );
  const moved = JSON.parse(text) as { paths: Record<string, any>; schemas: Record<string, unknown> };
  return { paths: moved.paths, schemas: Object.fromEntries(Object.entries(moved.schemas).map(([name, schema]) => [`${upstream}_${name}`, schema])) };
}
