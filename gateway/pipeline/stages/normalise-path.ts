// Stage: decode and normalise the request path once (pipeline/paths.ts); every
// later stage and the route match see the matching form, the upstream the raw one.
import type { RequestContext } from '../context.ts';
import { errors } from '../errors.ts';
import { normaliseRequestPath } from '../paths.ts';

export function normalisePath(ctx: RequestContext): void {
  const result = normaliseRequestPath(ctx.req.url ?? '/');
  if (!result.ok) throw errors.badPath(result.reason);
  ctx.path = result.path;
  ctx.rawPath = result.rawPath;
  ctx.query = result.query;
}
