// Tells the gateways whose credentials they must stop trusting from their caches,
// the moment a change is committed: "api_key=12" after a key is deactivated or
// deleted, "user=5" after a user is changed. Two paths:
// - on the very answer that changed it, as the header x-auth-invalidate: the
//   gateway that proxied the request consumes it (and strips it before the client
//   sees it), so that client's next request is already checked afresh;
// - on GET /internal/auth/events (auth-events.ts), a stream every gateway sharing
//   this orm keeps open, so the other replicas hear of it within a round trip.
// Only ever a cache refresh: a forged or spurious event costs one lookup, never
// grants anything.
import type { FastifyReply } from 'fastify';

/** Same name as the gateway's gateway/auth/invalidation.ts (the two never import each other). */
export const AUTH_INVALIDATE_HEADER = 'x-auth-invalidate';

export type InvalidatedCredential = 'user' | 'api_key';

export interface AuthEventSink {
  publish(event: string): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by registerAuthEventRoutes: the open gateway streams. */
    authEvents?: AuthEventSink;
  }
}

export function announceInvalidation(reply: FastifyReply, kind: InvalidatedCredential, id: number): void {
  const value = `${kind}=${id}`;
  const previous = reply.getHeader(AUTH_INVALIDATE_HEADER);
  void reply.header(AUTH_INVALIDATE_HEADER, typeof previous === 'string' && previous !== '' ? `${previous}, ${value}` : value);
  reply.server.authEvents?.publish(value);
}
