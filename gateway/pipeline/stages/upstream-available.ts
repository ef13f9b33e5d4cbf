// Stage factory: reads the upstream's live state from the registry per request;
// one known to be down answers 503 with Retry-After at once (no connect attempt).
// Why it is down ("backoff: killed by SIGKILL") is internal state: only admins
// read it here, everyone else the bare fact (issue 10 #8); /api/v1/services has it too.
import type { EdgeAuth } from '../../auth/types.ts';
import type { UpstreamRegistry } from '../../registry/upstream-registry.ts';
import type { RequestContext, Stage } from '../context.ts';
import { errors } from '../errors.ts';

export function requireUpstreamUp(name: string, registry: UpstreamRegistry, auth: Pick<EdgeAuth, 'isAdmin'>): Stage {
  return function checkUpstreamAvailable(ctx: RequestContext): void {
    ctx.upstream = name;
    const state = registry.get(name);
    if (state && state.availability !== 'down' && state.target !== null) {
      ctx.target = state.target;
      return;
    }
    const reason = !state ? 'not configured' : (state.reason ?? (state.target ? null : 'address not known yet'));
    const forAdmin = ctx.user !== null && auth.isAdmin(ctx.user);
    throw errors.upstreamDown(name, forAdmin ? reason : null, state?.retryAfterS ?? 5);
  };
}
