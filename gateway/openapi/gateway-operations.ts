// The OpenAPI description of the gateway's own endpoints (LocalRoutes: root,
// auth, health, services API, docs). Paths come from the routes actually
// registered, so a new local route shows up by itself; this table adds the
// summary, tag and request body where one is known.
import type { LocalRoute } from '../pipeline/context.ts';

type Operation = Record<string, unknown>;

const LOGIN_BODY = {
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', description: 'the user\'s mail' }, password: { type: 'string', format: 'password' } } },
    },
    'application/json': {
      schema: { type: 'object', required: ['password'], properties: { username: { type: 'string' }, email: { type: 'string' }, password: { type: 'string', format: 'password' } } },
    },
  },
};

/** "METHOD /path" → what the generic description cannot guess. */
const KNOWN: Record<string, Operation> = {
  'GET /': { tags: ['gateway'], summary: 'Service name, version and where the API, health and docs live' },
  'POST /api/v1/auth/login': { tags: ['auth'], summary: 'Log in with mail and password (OAuth2 password form or JSON); returns a bearer token', requestBody: LOGIN_BODY },
  'GET /api/v1/auth/verify': { tags: ['auth'], summary: 'Who the presented token or API key belongs to' },
  'GET /.well-known/jwks.json': { tags: ['auth'], summary: 'Public keys of the gateway\'s tokens (empty for HS256)' },
  'GET /health': { tags: ['health'], summary: 'Overall health, services and monitoring state' },
  'GET /health/live': { tags: ['health'], summary: 'Liveness: 200 while the process serves' },
  'GET /health/check': { tags: ['health'], summary: 'Readiness for load balancers (last monitor results)' },
  'POST /health/check': { tags: ['health'], summary: 'Run a health check cycle now' },
  'GET /health/services': { tags: ['health'], summary: 'Status of each supervised service' },
  'GET /health/monitor': { tags: ['health'], summary: 'Health monitor schedule, last results and recovery actions' },
  'GET /api/v1/services': { tags: ['services'], summary: 'Every supervised service and its status' },
  'GET /api/v1/services/{name}/status': { tags: ['services'], summary: 'One service\'s status' },
  'POST /api/v1/services/{name}/start': { tags: ['services'], summary: 'Start a service' },
  'POST /api/v1/services/{name}/stop': { tags: ['services'], summary: 'Stop a service' },
  'POST /api/v1/services/{name}/restart': { tags: ['services'], summary: 'Restart a service' },
  'GET /api/v1/services/{name}/logs': { tags: ['services'], summary: 'A service\'s recent output' },
  'GET /api/v1/services/{name}/logs/stream': {
    tags: ['services'],
    summary: 'A service\'s output as Server-Sent Events: the last `lines` entries (or, with a Last-Event-ID header, every kept line after that id), then each new line as it is captured (text/event-stream)',
  },
  'GET /openapi.json': { tags: ['gateway'], summary: 'This document' },
  'GET /docs': { tags: ['gateway'], summary: 'Interactive API documentation (Swagger UI)' },
  'GET /console': { tags: ['gateway'], summary: 'Admin console (static page; its data comes from the admin APIs)' },
  'GET /metrics': { tags: ['gateway'], summary: 'Prometheus metrics in the text exposition format (admin, or an API key with the metrics:read scope)' },
  'GET /metrics/{service}': { tags: ['gateway'], summary: 'A supervised process\'s own Prometheus metrics (orm_api, ohlcv_api, cache_api, a collector), fetched by the gateway (admin, or an API key with the metrics:read scope)' },
  'GET /api/v1/config/routes': { tags: ['gateway'], summary: 'Current routes with their auth policy, and the last reload with its problem locations (admin)' },
};

export const SECURED = [{ bearerAuth: [] }, { apiKeyAuth: [] }, { oauth2: [] }];

/** "/api/v1/services/:name/status" → "/api/v1/services/{name}/status". */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** paths{} entries for the gateway's own routes (asset routes under /docs/ and /console/ left out). */
export function describeLocalRoutes(routes: readonly LocalRoute[]): Record<string, Record<string, Operation>> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of routes) {
    if (route.path.startsWith('/docs/') || route.path.startsWith('/console/')) continue;
    const path = toOpenApiPath(route.path);
    const known = KNOWN[`${route.method} ${path}`] ?? {};
    const parameters = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
    const operation: Operation = {
      tags: [tagOf(path)],
      summary: `${route.method} ${path}`,
      ...known,
      ...(parameters.length > 0 ? { parameters } : {}),
      responses: {
        '200': { description: 'Successful Response' },
        ...(route.auth === 'public' ? {} : { '401': { description: 'Not authenticated' } }),
        ...(route.auth === 'admin' ? { '403': { description: 'Admin access required' } } : {}),
      },
      ...(route.auth === 'public' ? {} : { security: SECURED }),
    };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return paths;
}

function tagOf(path: string): string {
  if (path.startsWith('/api/v1/auth') || path.startsWith('/.well-known')) return 'auth';
  if (path.startsWith('/api/v1/services')) return 'services';
  if (path.startsWith('/health')) return 'health';
  return 'gateway';
}
