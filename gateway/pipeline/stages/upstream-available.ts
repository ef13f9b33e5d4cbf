// Stage factory: reads the upstream's live state from the registry per request;
// one known to be down answers 503 with Retry-After at once (no connect attempt).
import type { UpstreamRegistry } from '../../registry/upstream-registry.ts';
import type { RequestContext, Stage } from '../context.ts';
import { errors } from '../errors.ts';

export function requireUpstreamUp(name: string, registry: UpstreamRegistry): Stage {
  return function checkUpstreamAvailable(ctx: RequestContext): void {
    ctx.upstream = name;
    const state = registry.get(name);
    if (!state) throw errors.upstreamDown(name, 'not configured', 5);
    if (state.availability === 'down' || state.target === null) throw errors.upstreamDown(name, state.reason ?? (state.target ? null : 'address not known yet'), state.retryAfterS);
    ctx.target = state.target;
  };
}
