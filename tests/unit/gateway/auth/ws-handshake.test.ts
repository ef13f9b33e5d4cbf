import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeTokenParam, responseSubprotocol, upstreamSubprotocols, watchCredentialExpiry } from '../../../../gateway/auth/ws-handshake.ts';
import type { AuthenticatedUser } from '../../../../gateway/auth/types.ts';
import { fakeRequest } from './support/auth-fixtures.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('removeTokenParam', () => {
  it.each([
    ['', ''],
    ['token=abc', ''],
    ['a=1&token=abc&b=2', 'a=1&b=2'],
    ['token=abc&token=def', ''],
    ['%74oken=abc&x=1', 'x=1'],
    ['tokens=1&my_token=2', 'tokens=1&my_token=2'],
    ['a=token', 'a=token'],
  ])('%j → %j', (query, expected) => {
    expect(removeTokenParam(query)).toBe(expected);
  });
});

describe('subprotocols', () => {
  it.each<[string | undefined, string | null, string | null]>([
    [undefined, null, null],
    ['bearer, a.b.c', null, 'bearer'],
    ['bearer, a.b.c, graphql-ws', 'graphql-ws', 'bearer'],
    ['graphql-ws, bearer, a.b.c', 'graphql-ws', 'bearer'],
    ['graphql-ws', 'graphql-ws', null],
    ['bearer', null, null],
  ])('%j forwards %j upstream and answers the 101 with %j', (header, forwarded, answered) => {
    expect(upstreamSubprotocols(header)).toBe(forwarded);
    expect(responseSubprotocol(fakeRequest(header === undefined ? [] : [['Sec-WebSocket-Protocol', header]]))).toBe(answered);
  });
});

describe('watchCredentialExpiry', () => {
  const user = (expiresAt: number | null): AuthenticatedUser => ({ userId: 1, email: 'a@b.c', name: 'a', role: 'user', scopes: [], authMethod: 'jwt', expiresAt });

  it('calls back when the credential expires', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const onExpire = vi.fn();
    watchCredentialExpiry(user(1_000 + 30), onExpire);
    vi.advanceTimersByTime(29_999);
    expect(onExpire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onExpire).toHaveBeenCalledOnce();
  });

  it('calls back at once for an already expired credential', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const onExpire = vi.fn();
    watchCredentialExpiry(user(999), onExpire);
    expect(onExpire).toHaveBeenCalledOnce();
  });

  it('never fires once cancelled, nor for credentials without expiry', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const onExpire = vi.fn();
    const cancel = watchCredentialExpiry(user(1_010), onExpire);
    cancel();
    watchCredentialExpiry(user(null), onExpire);
    vi.advanceTimersByTime(60_000);
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('re-arms past setTimeout’s 24.8-day ceiling instead of firing early', () => {
    vi.useFakeTimers({ now: 0 });
    const onExpire = vi.fn();
    watchCredentialExpiry(user(40 * 86_400), onExpire);
    vi.advanceTimersByTime(30 * 86_400_000);
    expect(onExpire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10 * 86_400_000);
    expect(onExpire).toHaveBeenCalledOnce();
  });
});
