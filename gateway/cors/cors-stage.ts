// Entry stage: CORS at the edge, before any route or auth. Every answer to a
// browser request from an allowed origin carries the CORS headers (errors
// included, since they are set on the response before anything else happens);
// a preflight is answered here and never reaches auth or an upstream. The
// header logic is the `cors` package (expressjs/cors): it works on plain
// node:http request/response pairs, so it runs inside this pipeline unchanged.
// What it does not do, Starlette's CORSMiddleware (the original's) did and this
// stage adds: a preflight from an origin that is not allowed gets 400
// {"detail": "Disallowed CORS origin"} instead of a 204 without headers.
import cors, { type CorsOptions } from 'cors';
import type { RequestContext } from '../pipeline/context.ts';
import { applyResponseHeaders, sendJson } from '../http/respond.ts';
import type { CorsSettings } from './settings.ts';

/** Every method the gateway routes, for CORS_ALLOW_METHODS=["*"]. */
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export type CorsStage = (ctx: RequestContext) => void | 'halt';

export function createCorsStage(settings: CorsSettings): CorsStage {
  const anyOrigin = settings.origins.includes('*');
  const allowed = new Set(settings.origins);
  const isAllowed = (origin: string) => anyOrigin || allowed.has(origin);
  const options: CorsOptions = {
    // "*" cannot be sent with credentials: a browser refuses it. Starlette reflects
    // the request's origin then, and so do we (with Vary: Origin).
    origin: anyOrigin && !settings.allowCredentials ? '*' : (origin, done) => done(null, origin !== undefined && isAllowed(origin)),
    credentials: settings.allowCredentials,
    methods: settings.allowMethods.includes('*') ? ALL_METHODS : settings.allowMethods,
    // Unset: cors reflects Access-Control-Request-Headers, which is what "*" means here.
    allowedHeaders: settings.allowHeaders.includes('*') ? undefined : settings.allowHeaders,
    exposedHeaders: settings.exposeHeaders,
    maxAge: settings.maxAgeS,
    preflightContinue: false,
    optionsSuccessStatus: 204,
  };
  const middleware = cors(options);

  return function applyCors(ctx: RequestContext): void | 'halt' {
    const { req, res } = ctx;
    const origin = req.headers.origin;
    // Not a browser cross-origin request, or a WebSocket upgrade (no CORS there).
    if (origin === undefined || res === null) return;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (preflight && !isAllowed(origin)) {
      sendJson(ctx, 400, { detail: 'Disallowed CORS origin' });
      return 'halt';
    }
    let passed = false;
    // cors takes every OPTIONS for a preflight; a plain OPTIONS (no
    // Access-Control-Request-Method) is an ordinary request that goes on to its route.
    const asSeen = req.method === 'OPTIONS' && !preflight ? Object.create(req, { method: { value: 'GET' } }) : req;
    // cors answers a preflight itself: the gateway's own headers go on first.
    if (preflight) applyResponseHeaders(ctx, res);
    // Synchronous: the origin callback above answers at once.
    middleware(asSeen, res, () => (passed = true));
    if (passed) return;
    // cors answered the preflight itself (204 with the Access-Control-* headers).
    ctx.status = res.statusCode;
    return 'halt';
  };
}
