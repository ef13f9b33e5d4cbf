// The admin console (/console): static files, public like any web page, and the
// one admin-only read it needs that no other endpoint gives: the current route
// table with its auth policies and the last reload's problem locations. All data
// the page shows comes from admin APIs called with the admin's own token.
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../config/types.ts';
import type { GatewayLifecycle } from '../http/lifecycle.ts';
import type { LocalResponse, LocalRoute } from '../pipeline/context.ts';
import { errors } from '../pipeline/errors.ts';

export const CONSOLE_PATH = '/console';
export const CONSOLE_ROUTES_PATH = '/api/v1/config/routes';

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
// The page loads only its own files and talks only to this origin; no inline
// script, no framing (clickjacking of the restart buttons).
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The files, read once: a request can only name one of these (no path from the URL touches the disk). */
function loadStatic(): Map<string, LocalResponse> {
  const files = new Map<string, LocalResponse>();
  for (const name of readdirSync(STATIC_DIR)) {
    const contentType = TYPES[extname(name)];
    if (!contentType) continue;
    files.set(name, { status: 200, body: null, headers: PAGE_HEADERS, raw: { contentType, data: readFileSync(join(STATIC_DIR, name)) } });
  }
  return files;
}

export interface ConsoleRoutesOptions {
  config: () => GatewayConfig;
  lifecycle: GatewayLifecycle;
}

export function createConsoleRoutes(options: ConsoleRoutesOptions): LocalRoute[] {
  const files = loadStatic();
  // An unknown file is the catalogue's NOT_FOUND, written by the one error writer.
  const serve = (name: string): LocalResponse => {
    const file = files.get(name === '' ? 'index.html' : name);
    if (!file) throw errors.notFound();
    return file;
  };
  return [
    { method: 'GET', path: CONSOLE_PATH, auth: 'public', handle: () => serve('') },
    { method: 'GET', path: `${CONSOLE_PATH}/:file`, auth: 'public', handle: (_ctx, params) => serve(params.file ?? '') },
    {
      method: 'GET',
      path: CONSOLE_ROUTES_PATH,
      auth: 'admin',
      handle: () => ({ status: 200, headers: { 'cache-control': 'no-store' }, body: routesView(options.config(), options.lifecycle) }),
    },
  ];
}

/**
 * What the console shows of routes.yaml: prefixes, upstream names, auth policies,
 * limits, and the reload record with problem locations (file:line:col: path). No
 * URL, command or env value: those may hold interpolated secrets.
 */
export function routesView(config: GatewayConfig, lifecycle: GatewayLifecycle) {
  return {
    routes: config.routes.map((route) => ({
      prefix: route.prefix,
      upstream: route.upstream,
      auth: route.auth,
      websocket: route.websocket,
      timeout_ms: route.timeoutMs,
      body_limit_bytes: route.bodyLimitBytes,
      forward_authorization: route.forwardAuthorization,
    })),
    upstreams: [...config.upstreams.values()].map((u) => ({ name: u.name, managed: u.process !== null, critical: u.health.critical })),
    services: [...config.services.keys()],
    reload: {
      count: lifecycle.reload.count,
      failures: lifecycle.reload.failures,
      last_at: lifecycle.reload.lastAt,
      ok: lifecycle.reload.lastError === null,
      errors: lifecycle.reload.lastErrorLocations,
    },
  };
}
