// Closes proxied WebSockets with 1008 when the credential they were opened with
// expires. The gateway calls onOpen/onClose (createGateway's onWebSocketOpen /
// onWebSocketClose); the close itself goes through the proxy's frame-boundary
// close helper, passed in so auth does not depend on the proxy.
import type { RequestContext } from '../pipeline/context.ts';
import { CLOSE_POLICY_VIOLATION, EXPIRED_CLOSE_REASON, watchCredentialExpiry } from './ws-handshake.ts';

export type CloseSocket = (ctx: RequestContext, code: number, reason: string) => boolean;

export interface WebSocketExpiry {
  onOpen(ctx: RequestContext): void;
  onClose(ctx: RequestContext): void;
}

export function createWebSocketExpiry(closeSocket: CloseSocket, now: () => number = Date.now): WebSocketExpiry {
  const timers = new WeakMap<RequestContext, () => void>();
  return {
    onOpen(ctx) {
      if (!ctx.user || ctx.user.expiresAt === null) return;
      timers.set(ctx, watchCredentialExpiry(ctx.user, () => closeSocket(ctx, CLOSE_POLICY_VIOLATION, EXPIRED_CLOSE_REASON), now));
    },
    onClose(ctx) {
      timers.get(ctx)?.();
      timers.delete(ctx);
    },
  };
}
