import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebSocketExpiry } from '../../../../gateway/auth/ws-expiry.ts';
import type { RequestContext } from '../../../../gateway/pipeline/context.ts';
import type { AuthenticatedUser } from '../../../../gateway/auth/types.ts';

afterEach(() => {
  vi.useRealTimers();
});

const ctxFor = (expiresAt: number | null) =>
  ({ user: { userId: 1, email: 'a@b.c', name: 'a', role: 'user', scopes: [], authMethod: 'jwt', expiresAt } satisfies AuthenticatedUser }) as unknown as RequestContext;

describe('createWebSocketExpiry', () => {
  it('closes an open socket with 1008 "token expired" when its token expires', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const close = vi.fn(() => true);
    const expiry = createWebSocketExpiry(close);
    const ctx = ctxFor(1_000 + 10);
    expiry.onOpen(ctx);
    vi.advanceTimersByTime(10_000);
    expect(close).toHaveBeenCalledWith(ctx, 1008, 'token expired');
  });

  it('forgets the timer when the socket closes first', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const close = vi.fn(() => true);
    const expiry = createWebSocketExpiry(close);
    const ctx = ctxFor(1_000 + 10);
    expiry.onOpen(ctx);
    expiry.onClose(ctx);
    vi.advanceTimersByTime(60_000);
    expect(close).not.toHaveBeenCalled();
  });

  it('does nothing for anonymous sockets or keys without expiry', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const close = vi.fn(() => true);
    const expiry = createWebSocketExpiry(close);
    expiry.onOpen({ user: null } as unknown as RequestContext);
    expiry.onOpen(ctxFor(null));
    vi.advanceTimersByTime(86_400_000);
    expect(close).not.toHaveBeenCalled();
  });
});
