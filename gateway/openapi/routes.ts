// GET /openapi.json (the merged document) and GET /docs (Swagger UI, served from
// the swagger-ui-dist package's local files: no CDN at run time), both public as
// FastAPI served them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GatewayConfig } from '../config/types.ts';
import type { LocalRoute, LocalResponse } from '../pipeline/context.ts';
import { mergeOpenApi } from './merge.ts';
import type { UpstreamDocuments } from './upstream-documents.ts';
import { errors } from '../pipeline/errors.ts';

export const OPENAPI_PATHS = { document: '/openapi.json', docs: '/docs' } as const;

export interface OpenApiRoutesOptions {
  documents: Pick<UpstreamDocuments, 'read'>;
  config: () => GatewayConfig;
  localRoutes: () => readonly LocalRoute[];
  version: string;
}

const INFO = { title: 'Fullon Master API', description: 'Unified API Gateway for Fullon Trading Platform' };

/** The files /docs may serve, by name; nothing else from the package is reachable. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// Scripts only from here (the initializer is a file, not inline); Swagger UI styles inline.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${INFO.title} - Swagger UI</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/index.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATHS.document)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout'
  });
};
`;

export function createOpenApiRoutes(options: OpenApiRoutesOptions): LocalRoute[] {
  const assetDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets = new Map<string, LocalResponse>();
  const asset = (name: string): LocalResponse => {
    if (name === 'swagger-initializer.js') return { status: 200, body: null, raw: { contentType: 'text/javascript; charset=utf-8', data: INITIALIZER }, headers: PAGE_HEADERS };
    const contentType = ASSETS[name];
    if (!contentType) throw errors.notFound();
    let found = assets.get(name);
    if (!found) {
      // Read once: a few MB that never change while the process runs.
      found = { status: 200, body: null, raw: { contentType, data: readFileSync(join(assetDir, name)) }, headers: { 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' } };
      assets.set(name, found);
    }
    return found;
  };

  return [
    {
      method: 'GET',
      path: OPENAPI_PATHS.document,
      auth: 'public',
      async handle() {
        const config = options.config();
        const { docs, unavailable } = await options.documents.read(config.routes.map((route) => route.upstream));
        const document = mergeOpenApi({ info: { ...INFO, version: options.version }, localRoutes: options.localRoutes(), routes: config.routes, upstreamDocs: docs, unavailable });
        return { status: 200, body: document, headers: { 'cache-control': 'no-cache' } };
      },
    },
    { method: 'GET', path: OPENAPI_PATHS.docs, auth: 'public', handle: () => ({ status: 200, body: null, raw: { contentType: 'text/html; charset=utf-8', data: PAGE }, headers: PAGE_HEADERS }) },
    { method: 'GET', path: `${OPENAPI_PATHS.docs}/:asset`, auth: 'public', handle: (_ctx, params) => asset(params.asset ?? '') },
  ];
}
