// Stage factory: enforces a route's auth policy (public | user | admin) through
// the EdgeAuth interface; 401 with an RFC 6750 challenge, 403 for non-admins.
import type { AuthPolicy } from '../../config/types.ts';
import type { EdgeAuth } from '../../auth/types.ts';
import type { RequestContext, Stage } from '../context.ts';
import { errors, GatewayError } from '../errors.ts';

const NO_QUERY = new URL('http://gateway/');

export function enforceAuthPolicy(policy: AuthPolicy, auth: EdgeAuth): Stage | null {
  if (policy !== 'public' && policy !== 'user' && policy !== 'admin') throw new Error(`unknown auth policy ${String(policy)}`);
  // Public routes skip the stage entirely (compiled out, fastify-style).
  if (policy === 'public') return null;
  const adminOnly = policy === 'admin';
  return async function checkAuthPolicy(ctx: RequestContext): Promise<void> {
    // Only upgrades read the query (?token=); plain requests skip a URL parse each.
    // The raw path: a decoded %3F in it must never read as the start of a query.
    const url = ctx.isUpgrade ? new URL(`http://gateway${ctx.rawPath}${ctx.query ? `?${ctx.query}` : ''}`) : NO_QUERY;
    const outcome = await auth.authenticate(ctx.req, url, ctx.isUpgrade);
    if (outcome.kind === 'rejected') {
      const headers = outcome.status === 401 ? { 'www-authenticate': 'Bearer' } : undefined;
      const code = outcome.code ?? (outcome.status === 401 ? 'UNAUTHORIZED' : outcome.status === 400 ? 'BAD_CREDENTIALS' : 'AUTH_UNAVAILABLE');
      throw new GatewayError(code, outcome.status, outcome.detail, { headers });
    }
    if (outcome.kind === 'anonymous') throw errors.unauthorized();
    ctx.user = outcome.user;
    if (adminOnly && !auth.isAdmin(outcome.user)) throw errors.forbidden();
  };
}
