import { describe, expect, it } from 'vitest';
import { ApiKeyAuth } from '../../../../gateway/auth/api-key-auth.ts';
import { AuthError } from '../../../../gateway/auth/errors.ts';
import type { ApiKeyOwner } from '../../../../gateway/auth/orm-client.ts';

const KEY = 'fullon_ak_abcdefghijklmnopqrstuvwxyz012345';
const owner = (expiresAt: number | null = null): ApiKeyOwner => ({
  user: { uid: 4, mail: 'k@example.com', name: 'K', role: 'user', active: true },
  scopes: ['cache:write'],
  apiKeyId: 11,
  expiresAt,
});

/** A fake orm whose answer the test switches, counting calls; a fake clock. */
function setup(options: { ttlMs?: number; negativeTtlMs?: number } = {}) {
  let clock = 1_000_000;
  const orm = {
    calls: 0,
    answer: (): Promise<ApiKeyOwner> => Promise.resolve(owner()),
    verifyApiKey(_key: string) {
      this.calls++;
      return this.answer();
    },
  };
  const auth = new ApiKeyAuth({ orm, ttlMs: options.ttlMs ?? 4000, negativeTtlMs: options.negativeTtlMs ?? 1000, max: 100, now: () => clock });
  return { orm, auth, advance: (ms: number) => (clock += ms), now: () => clock };
}

async function errorCode(promise: Promise<unknown>) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

describe('ApiKeyAuth', () => {
  it('maps the owner to an api_key user', async () => {
    const { auth } = setup();
    await expect(auth.authenticate(KEY)).resolves.toEqual({ userId: 4, email: 'k@example.com', name: 'K', role: 'user', scopes: ['cache:write'], authMethod: 'api_key', expiresAt: null, apiKeyId: 11 });
  });

  it('asks the orm once per TTL for a hot key', async () => {
    const { auth, orm, advance } = setup();
    for (let i = 0; i < 20; i++) await auth.authenticate(KEY);
    expect(orm.calls).toBe(1);
    advance(4001);
    await auth.authenticate(KEY);
    expect(orm.calls).toBe(2);
  });

  it('refuses a key deactivated in the orm once the TTL (≤ 5 s) has passed', async () => {
    const { auth, orm, advance } = setup();
    await auth.authenticate(KEY);
    orm.answer = () => Promise.reject(new AuthError('INVALID_API_KEY'));
    advance(4001);
    expect(await errorCode(auth.authenticate(KEY))).toBe('INVALID_API_KEY');
  });

  it('stops trusting a cached key at its own expires_at, before the TTL', async () => {
    const { auth, orm, advance, now } = setup();
    orm.answer = () => Promise.resolve(owner(now() + 1000));
    await auth.authenticate(KEY);
    orm.answer = () => Promise.reject(new AuthError('INVALID_API_KEY'));
    advance(1000);
    expect(await errorCode(auth.authenticate(KEY))).toBe('INVALID_API_KEY');
    expect(orm.calls).toBe(2);
  });

  it('refuses a key the orm reports with an expiry already past', async () => {
    const { auth, orm, now } = setup();
    orm.answer = () => Promise.resolve(owner(now() - 1));
    expect(await errorCode(auth.authenticate(KEY))).toBe('INVALID_API_KEY');
  });

  it('caches a bad key briefly, so a flood of it costs one orm call per negative TTL', async () => {
    const { auth, orm, advance } = setup();
    orm.answer = () => Promise.reject(new AuthError('INVALID_API_KEY'));
    for (let i = 0; i < 50; i++) expect(await errorCode(auth.authenticate(KEY))).toBe('INVALID_API_KEY');
    expect(orm.calls).toBe(1);
    orm.answer = () => Promise.resolve(owner());
    advance(1001);
    await expect(auth.authenticate(KEY)).resolves.toMatchObject({ userId: 4 });
  });

  it('shares one orm call between concurrent checks of the same key', async () => {
    const { auth, orm } = setup();
    let release!: (value: ApiKeyOwner) => void;
    orm.answer = () => new Promise((resolve) => (release = resolve));
    const pending = Array.from({ length: 10 }, () => auth.authenticate(KEY));
    release(owner());
    await Promise.all(pending);
    expect(orm.calls).toBe(1);
  });

  it('does not cache "orm unavailable": the next request asks again', async () => {
    const { auth, orm } = setup();
    orm.answer = () => Promise.reject(new AuthError('AUTH_UPSTREAM_UNAVAILABLE'));
    expect(await errorCode(auth.authenticate(KEY))).toBe('AUTH_UPSTREAM_UNAVAILABLE');
    orm.answer = () => Promise.resolve(owner());
    await expect(auth.authenticate(KEY)).resolves.toMatchObject({ userId: 4 });
    expect(orm.calls).toBe(2);
  });

  it.each(['short', 'fullon_ak_', 'fullon_ak_short', 'sk_live_abcdefghijklmnopqrstuvwxyz', `fullon_ak_${'a'.repeat(300)}`, 'fullon_ak_abc def ghi jkl mno', 'fullon_ak_ÄÖÜäöüßabcdefghij'])(
    'refuses the malformed key %j without asking the orm',
    async (key) => {
      const { auth, orm } = setup();
      expect(await errorCode(auth.authenticate(key))).toBe('INVALID_API_KEY');
      expect(orm.calls).toBe(0);
    },
  );

  it('refuses a negative TTL longer than the TTL', () => {
    expect(() => setup({ ttlMs: 1000, negativeTtlMs: 2000 })).toThrow(RangeError);
  });
});
