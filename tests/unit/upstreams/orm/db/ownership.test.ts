import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../../../upstreams/common/assertion.ts';
import { isAdmin, listScopeUid, resolveTargetUid } from '../../../../../upstreams/orm/db/ownership.ts';

const user: Identity = { userId: 5, email: 'u@x', role: 'user', scopes: [], authMethod: 'jwt' };
const admin: Identity = { ...user, userId: 1, role: 'admin' };
const gateway: Identity = { userId: 0, email: 'gateway@internal', role: 'admin', scopes: [], authMethod: 'gateway' };

describe('ownership rules', () => {
  it('treats role admin and the gateway service identity as admin', () => {
    expect([isAdmin(user), isAdmin(admin), isAdmin(gateway)]).toEqual([false, true, true]);
  });

  it('restricts a regular user list to their own uid whatever they ask for', () => {
    expect(listScopeUid(user, undefined)).toBe(5);
    expect(listScopeUid(user, 9)).toBe(5);
    expect(listScopeUid(admin, undefined)).toBeUndefined();
    expect(listScopeUid(admin, 9)).toBe(9);
  });

  it('creates for self by default, for another uid only as admin (else 404)', () => {
    expect(resolveTargetUid(user, undefined)).toBe(5);
    expect(resolveTargetUid(user, 5)).toBe(5);
    expect(() => resolveTargetUid(user, 9)).toThrow(expect.objectContaining({ status: 404 }));
    expect(resolveTargetUid(admin, 9)).toBe(9);
  });
});
