// The gateway's own auth endpoints (LocalRoutes): login, verify, and the JWKS of
// the gateway's public signing key. Passwords are checked by the orm upstream,
// never here.
import type { LocalResponse, LocalRoute } from '../pipeline/context.ts';
import type { GatewayEdgeAuth } from './edge-auth.ts';
import { AuthError, bearerChallenge } from './errors.ts';
import { parseLoginBody } from './login-request.ts';
import { BodyError, readLimitedBody } from './read-body.ts';

export const AUTH_PATHS = {
  login: '/api/v1/auth/login',
  verify: '/api/v1/auth/verify',
  jwks: '/.well-known/jwks.json',
} as const;

/** RFC 6749 §5.1: token responses must not be cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function createAuthRoutes(auth: GatewayEdgeAuth): LocalRoute[] {
  return [
    { method: 'POST', path: AUTH_PATHS.login, auth: 'public', handle: (ctx) => handleLogin(auth, ctx.req) },
    {
      method: 'GET',
      path: AUTH_PATHS.verify,
      auth: 'user',
      handle(ctx) {
        const user = ctx.user;
        if (!user) return { status: 401, body: { detail: 'Not authenticated' }, headers: { 'www-authenticate': 'Bearer' } };
        return {
          status: 200,
          headers: NO_STORE,
          body: {
            user_id: user.userId,
            username: user.email,
            email: user.email,
            is_active: true,
            role: auth.isAdmin(user) ? 'admin' : 'user',
            scopes: user.scopes,
            exp: user.expiresAt,
          },
        };
      },
    },
    {
      method: 'GET',
      path: AUTH_PATHS.jwks,
      auth: 'public',
      handle: () => ({ status: 200, body: auth.keys.jwks, headers: { 'cache-control': 'public, max-age=300' } }),
    },
  ];
}

async function handleLogin(auth: GatewayEdgeAuth, req: import('node:http').IncomingMessage): Promise<LocalResponse> {
  let body: Buffer;
  try {
    body = await readLimitedBody(req, auth.settings.loginBodyLimitBytes);
  } catch (error) {
    if (error instanceof BodyError) return { status: error.status, body: { detail: error.message }, headers: { connection: 'close' } };
    throw error;
  }
  const parsed = parseLoginBody(req.headers['content-type'], body);
  if (!parsed.ok) return { status: parsed.status, body: { detail: parsed.detail } };
  try {
    const user = await auth.orm.verifyCredentials(parsed.login.mail, parsed.login.password);
    const issued = await auth.tokens.issue({ uid: user.uid, mail: user.mail, role: user.role });
    return {
      status: 200,
      headers: NO_STORE,
      body: {
        access_token: issued.token,
        token_type: 'bearer',
        expires_in: issued.expiresIn,
        user: { uid: user.uid, mail: user.mail, name: user.name, role: auth.isAdmin({ role: user.role, email: user.mail }) ? 'admin' : 'user' },
      },
    };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error.status === 503) return { status: 503, body: { detail: error.detail }, headers: { 'retry-after': '1' } };
    return { status: 401, body: { detail: 'Invalid credentials' }, headers: { 'www-authenticate': bearerChallenge(null) } };
  }
}
