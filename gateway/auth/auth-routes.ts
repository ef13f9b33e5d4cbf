// The gateway's own auth endpoints (LocalRoutes): login, verify, and the JWKS of
// the gateway's public signing key. Passwords are checked by the orm upstream,
// never here; failed logins are throttled per account and per client address
// (login-throttle.ts). Every refusal is a catalogue error, thrown.
import type { BlockList } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveClientAddress } from '../http/client-address.ts';
import type { LocalResponse, LocalRoute, RequestContext } from '../pipeline/context.ts';
import { errors, gatewayError } from '../pipeline/errors.ts';
import type { GatewayEdgeAuth } from './edge-auth.ts';
import { AuthError } from './errors.ts';
import { LoginThrottle, type LoginLimiter } from './login-throttle.ts';
import { parseLoginBody } from './login-request.ts';
import { readLimitedBody } from './read-body.ts';

export const AUTH_PATHS = {
  login: '/api/v1/auth/login',
  verify: '/api/v1/auth/verify',
  jwks: '/.well-known/jwks.json',
} as const;

/** RFC 6749 §5.1: token responses must not be cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export interface AuthRoutesOptions {
  /** Default: in-memory counters with the default limits. A worker passes the primary's (gateway/cluster/remote-login-throttle.ts). */
  throttle?: LoginLimiter;
  /** Peers whose X-Forwarded-For names the client (TRUSTED_PROXIES). */
  trustedProxies?: BlockList;
}

export function createAuthRoutes(auth: GatewayEdgeAuth, options: AuthRoutesOptions = {}): LocalRoute[] {
  const throttle = options.throttle ?? new LoginThrottle();
  const trusted = options.trustedProxies ?? null;
  return [
    { method: 'POST', path: AUTH_PATHS.login, auth: 'public', handle: (ctx) => handleLogin(auth, throttle, ctx, trusted) },
    {
      method: 'GET',
      path: AUTH_PATHS.verify,
      auth: 'user',
      handle(ctx) {
        const user = ctx.user;
        if (!user) throw errors.unauthorized();
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

async function handleLogin(auth: GatewayEdgeAuth, throttle: LoginLimiter, ctx: RequestContext, trusted: BlockList | null): Promise<LocalResponse> {
  const { req } = ctx;
  const body = await readLimitedBody(req, auth.settings.loginBodyLimitBytes);
  const parsed = parseLoginBody(req.headers['content-type'], body);
  if (!parsed.ok) throw gatewayError(parsed.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED', { detail: parsed.detail });
  const { mail, password } = parsed.login;
  const address = trusted ? resolveClientAddress(req, trusted) : unmapped(req.socket.remoteAddress ?? '');
  // Counted and, past the limit, refused before the orm hashes anything: a flood
  // past the limit costs no bcrypt.
  const wait = await throttle.attempt(mail, address);
  if (wait !== null) {
    if (throttle.refusalDelayMs > 0) await delay(throttle.refusalDelayMs);
    throw errors.loginThrottled(wait);
  }
  let user;
  try {
    user = await auth.orm.verifyCredentials(mail, password);
  } catch (error) {
    // Unknown mail, wrong password, inactive user: one answer, one count (indistinguishable).
    // An orm that could not check is not the account holder's failure.
    if (error instanceof AuthError && error.code === 'AUTH_UPSTREAM_UNAVAILABLE') await throttle.unchecked(mail);
    throw error;
  }
  await throttle.succeeded(mail, address);
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
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
