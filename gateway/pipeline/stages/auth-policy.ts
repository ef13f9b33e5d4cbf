// Stage factory: enforces a route's auth policy (public | user | admin) through
// the EdgeAuth interface; refusals are catalogue errors with their RFC 6750
// challenge (401 invalid_token, 403 insufficient_scope for non-admins).
import type { AuthPolicy } from '../../config/types.ts';
import type { AuthOutcome, EdgeAuth } from '../../auth/types.ts';
import type { RequestContext, Stage } from '../context.ts';
import { CATALOGUE, errors, gatewayError, type ErrorCode, type GatewayError } from '../errors.ts';

const NO_QUERY = new URL('http://gateway/');

export function enforceAuthPolicy(policy: AuthPolicy, auth: EdgeAuth): Stage | null {
  if (policy !== 'public' && policy !== 'user' && policy !== 'admin') throw new Error(`unknown auth policy ${String(policy)}`);
  // Public routes skip the stage entirely (compiled out, fastify-style).
  if (policy === 'public') return null;
  const adminOnly = policy === 'admin';
  const admit = (ctx: RequestContext, outcome: AuthOutcome): void => {
    if (outcome.kind === 'rejected') throw refusal(outcome);
    if (outcome.kind === 'anonymous') throw errors.unauthorized();
    ctx.user = outcome.user;
    if (adminOnly && !auth.isAdmin(outcome.user)) throw errors.forbidden();
  };
  return function checkAuthPolicy(ctx: RequestContext): void | Promise<void> {
    // Only upgrades read the query (?token=); plain requests skip a URL parse each.
    // The raw path: a decoded %3F in it must never read as the start of a query.
    const url = ctx.isUpgrade ? new URL(`http://gateway${ctx.rawPath}${ctx.query ? `?${ctx.query}` : ''}`) : NO_QUERY;
    // A credential checked before is decided now: no promise, and the stages after stay synchronous.
    const known = auth.authenticateNow?.(ctx.req, url, ctx.isUpgrade) ?? null;
    if (known !== null) return admit(ctx, known);
    return auth.authenticate(ctx.req, url, ctx.isUpgrade).then((outcome) => admit(ctx, outcome));
  };
}

/** The catalogue entry an EdgeAuth rejection names (an implementation without codes gets the one its status means). */
function refusal(outcome: Extract<AuthOutcome, { kind: 'rejected' }>): GatewayError {
  const named = outcome.code !== undefined && outcome.code in CATALOGUE ? (outcome.code as ErrorCode) : null;
  const code: ErrorCode = named ?? (outcome.status === 401 ? 'UNAUTHORIZED' : outcome.status === 400 ? 'AMBIGUOUS_CREDENTIALS' : 'AUTH_UPSTREAM_UNAVAILABLE');
  return gatewayError(code, { detail: outcome.detail });
}
