// Tells the gateway, on the very answer that changed it, whose credentials it
// must stop trusting from its caches: "x-auth-invalidate: api_key=12" after a key
// is deactivated or deleted, "user=5" after a user is changed. The gateway
// consumes the header (and strips it before the client sees it) and passes the
// event on to its replicas. Only ever a cache refresh: a forged or spurious value
// costs one extra lookup, never grants anything.
import type { FastifyReply } from 'fastify';

/** Same name as the gateway's gateway/auth/invalidation.ts (the two never import each other). */
export const AUTH_INVALIDATE_HEADER = 'x-auth-invalidate';

export type InvalidatedCredential = 'user' | 'api_key';

export function announceInvalidation(reply: FastifyReply, kind: InvalidatedCredential, id: number): void {
  const previous = reply.getHeader(AUTH_INVALIDATE_HEADER);
  const value = `${kind}=${id}`;
  void reply.header(AUTH_INVALIDATE_HEADER, typeof previous === 'string' && previous !== '' ? `${previous}, ${value}` : value);
}
