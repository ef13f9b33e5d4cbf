// /api_keys: the key is shown once and stored hashed, listings never return it,
// privileged scopes need an admin, and a user cannot see or touch others' keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY, call, createTestUser, openOrmHarness, type OrmHarness } from './harness.ts';

let h: OrmHarness;
beforeAll(async () => {
  h = await openOrmHarness('postgres');
});
afterAll(async () => {
  await h.close();
});

describe('orm /api_keys', () => {
  it('returns fullon_ak_ key once, stores only its sha256 and a 12-char prefix', async () => {
    const user = await createTestUser(h);
    const created = await call(h, user, 'POST', '/api_keys/me', { name: 'ci', description: 'for CI', scopes: ['read'] });
    expect(created.statusCode).toBe(200);
    const body = created.json();
    expect(body.key).toMatch(/^fullon_ak_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({ name: 'ci', description: 'for CI', scopes: ['read'], is_active: true, key_prefix: body.key.slice(0, 12), uid: user.uid });
    const { rows } = await h.db.query<{ key: string }>('SELECT key FROM api_keys WHERE api_key_id = $1', [body.api_key_id]);
    expect(rows[0]?.key).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.key).not.toContain(body.key);
    const list = await call(h, user, 'GET', '/api_keys/me');
    expect(list.json()).toMatchObject([{ api_key_id: body.api_key_id, key_prefix: body.key_prefix }]);
    expect(list.headers['x-total-count']).toBe('1');
    expect(JSON.stringify(list.json())).not.toContain(body.key);
    expect(list.json()[0]).not.toHaveProperty('key');
  });

  it('refuses write scopes for a regular user (422) and grants them to an admin', async () => {
    const user = await createTestUser(h);
    expect((await call(h, user, 'POST', '/api_keys/me', { name: 'w', scopes: ['ohlcv:write'] })).statusCode).toBe(422);
    const admin = await createTestUser(h, { role: 'admin' });
    const ok = await call(h, admin, 'POST', '/api_keys/me', { name: 'w', scopes: ['ohlcv:write', 'cache:write'] });
    expect(ok.statusCode).toBe(200);
  });

  // Issue 10 finding #4: a user gave their own key ["admin","cache:*","ohlcv:*"] and got 201.
  it.each([
    ['the admin scope', ['admin'], /scope admin exceeds your role \(user\)/],
    ['write scopes', 'read,cache:write', /scope cache:write exceeds your role/],
    ['wildcards', ['admin', 'cache:*', 'ohlcv:*'], /expected one of/],
  ])('a regular user cannot grant %s: 422 with a detail saying why, nothing stored', async (_name, scopes, message) => {
    const user = await createTestUser(h);
    const response = await call(h, user, 'POST', '/api_keys/me', { name: 'greedy', scopes });
    expect(response.statusCode).toBe(422);
    const detail = response.json().detail as Array<{ loc: string[]; msg: string }>;
    expect(detail[0]?.loc.slice(0, 2)).toEqual(['body', 'scopes']);
    expect(detail[0]?.msg).toMatch(message);
    expect((await h.db.query('SELECT 1 FROM api_keys WHERE uid = $1', [user.uid])).rowCount).toBe(0);
  });

  it.each([
    ['a missing name', {}],
    ['an oversized name', { name: 'n'.repeat(101) }],
    ['scopes of the wrong type', { name: 'k', scopes: 42 }],
    ['a scopes string with spaces', { name: 'k', scopes: 'read, write' }],
    ['a scopes string with an empty item', { name: 'k', scopes: 'read,,write' }],
    ['a scopes string ending in a comma', { name: 'k', scopes: 'read,' }],
    ['an unknown scope in a string', { name: 'k', scopes: 'read,launch_missiles' }],
    ['an unknown scope in an array', { name: 'k', scopes: ['read', 'launch_missiles'] }],
    ['a malformed scope', { name: 'k', scopes: ["read'; DROP TABLE users; --"] }],
    ['a malformed expires_at', { name: 'k', expires_at: 'tomorrow' }],
  ])('answers 422 for %s', async (_name, body) => {
    const user = await createTestUser(h);
    expect((await call(h, user, 'POST', '/api_keys/me', body)).statusCode).toBe(422);
  });

  it('keeps keys private: another user cannot read, deactivate or delete them (404)', async () => {
    const [owner, intruder] = [await createTestUser(h), await createTestUser(h)];
    const { api_key_id, key } = (await call(h, owner, 'POST', '/api_keys/me', { name: 'mine' })).json();
    expect((await call(h, intruder, 'GET', `/api_keys/${api_key_id}`)).statusCode).toBe(404);
    expect((await call(h, intruder, 'PATCH', `/api_keys/${api_key_id}/deactivate`)).statusCode).toBe(404);
    expect((await call(h, intruder, 'DELETE', `/api_keys/${api_key_id}`)).statusCode).toBe(404);
    expect((await call(h, intruder, 'GET', '/api_keys/me')).json().length).toBe(0);
    expect((await call(h, intruder, 'GET', `/api_keys?uid=${owner.uid}`)).json().length).toBe(0);
    expect((await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: key })).statusCode).toBe(200);
  });

  it('writes last_used_at on first use and not again within the 10 s throttle window', async () => {
    const owner = await createTestUser(h);
    const { api_key_id, key } = (await call(h, owner, 'POST', '/api_keys/me', { name: 'hot' })).json();
    const lastUsed = async () => (await h.db.query<{ t: string | null }>('SELECT last_used_at::text AS t FROM api_keys WHERE api_key_id = $1', [api_key_id])).rows[0]!.t;
    expect(await lastUsed()).toBeNull();
    expect((await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: key })).statusCode).toBe(200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    expect((await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: key })).statusCode).toBe(200);
    expect(await lastUsed()).toBe(first);
  });

  it('lets the owner deactivate (then the key is refused) and delete a key; an admin sees all', async () => {
    const owner = await createTestUser(h);
    const admin = await createTestUser(h, { role: 'admin' });
    const { api_key_id, key } = (await call(h, owner, 'POST', '/api_keys/me', { name: 'mine' })).json();
    expect((await call(h, admin, 'GET', `/api_keys?uid=${owner.uid}`)).json().length).toBe(1);
    const deactivated = await call(h, owner, 'PATCH', `/api_keys/${api_key_id}/deactivate`);
    expect(deactivated.json()).toMatchObject({ api_key_id, is_active: false });
    expect((await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: key })).statusCode).toBe(401);
    expect((await call(h, owner, 'DELETE', `/api_keys/${api_key_id}`)).statusCode).toBe(204);
    expect((await call(h, owner, 'GET', `/api_keys/${api_key_id}`)).statusCode).toBe(404);
  });
});
