// Stage: every request carries an x-request-id; a well-formed client value is
// kept (so traces join up), anything else is replaced by a fresh UUID.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.ts';

const WELL_FORMED = /^[A-Za-z0-9._-]{8,128}$/;

export function assignRequestId(ctx: RequestContext): void {
  const given = ctx.req.headers['x-request-id'];
  ctx.requestId = typeof given === 'string' && WELL_FORMED.test(given) ? given : randomUUID();
  ctx.responseHeaders['x-request-id'] = ctx.requestId;
}
