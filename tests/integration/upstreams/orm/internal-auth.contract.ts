// The internal endpoints the gateway's auth integrates against: verify
// credentials, verify an API key, a user's ownership. Run on Postgres and PGlite.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { uniqueMail } from '../../../helpers/isolation.ts';
import { GATEWAY, call, createTestUser, type OrmHarness } from './harness.ts';

/** Registers the suite; `harness()` returns the open harness of the enclosing describe. */
export function defineInternalAuthContract(harness: () => OrmHarness): void {
  const h = new Proxy({} as OrmHarness, { get: (_t, key) => harness()[key as keyof OrmHarness] });

  describe('POST /internal/auth/verify-credentials', () => {
    it('returns the user for a correct mail and password, mail matched case-insensitively', async () => {
      const user = await createTestUser(h);
      const response = await call(h, GATEWAY, 'POST', '/internal/auth/verify-credentials', { mail: user.mail.toUpperCase(), password: user.password });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ uid: user.uid, mail: user.mail, name: 'Test', lastname: 'User', role: 'user', active: true });
    });

    it('verifies a hash fullon stored with $2b$ (python bcrypt)', async () => {
      const mail = uniqueMail('fullon');
      const hash = await bcrypt.hash('legacy-pass', 4);
      expect(hash.startsWith('$2b$')).toBe(true);
      await h.db.query("INSERT INTO users (mail, password, role, name) VALUES ($1, $2, 'admin', 'Legacy')", [mail, hash]);
      const response = await call(h, GATEWAY, 'POST', '/internal/auth/verify-credentials', { mail, password: 'legacy-pass' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ mail, role: 'admin' });
    });

    // Issue 10 finding #12: bcrypt reads 72 bytes, so "72-byte password + anything" logged in.
    it('refuses a stored 72-byte password followed by any suffix (401), and still accepts the exact one', async () => {
      const mail = uniqueMail('long');
      const password = 'p'.repeat(72);
      await h.db.query("INSERT INTO users (mail, password, role, name) VALUES ($1, $2, 'user', 'Long')", [mail, await bcrypt.hash(password, 4)]);
      expect((await call(h, GATEWAY, 'POST', '/internal/auth/verify-credentials', { mail, password })).statusCode).toBe(200);
      for (const suffix of ['x', 'anything-at-all']) {
        const response = await call(h, GATEWAY, 'POST', '/internal/auth/verify-credentials', { mail, password: password + suffix });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({ detail: 'Invalid credentials' });
      }
    });

    it.each([
      ['an unknown mail', async () => ({ mail: uniqueMail('nobody'), password: 'whatever-pass' })],
      ['a wrong password', async () => ({ mail: (await createTestUser(h)).mail, password: 'wrong-password' })],
      ['an inactive user', async () => { const u = await createTestUser(h, { active: false }); return { mail: u.mail, password: u.password }; }],
      ['an injection attempt', async () => ({ mail: "' OR '1'='1", password: "' OR '1'='1" })],
    ])('answers 401 Invalid credentials for %s', async (_name, body) => {
      const response = await call(h, GATEWAY, 'POST', '/internal/auth/verify-credentials', await body());
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ detail: 'Invalid credentials' });
    });

    it('answers 422 for a missing field', async () => {
      const response = await call(h, GATEWAY, 'POST', '/internal/auth/verify-credentials', { mail: 'x@y' });
      expect(response.statusCode).toBe(422);
    });

    it('is 404 for a user assertion and 401 without one', async () => {
      const user = await createTestUser(h, { role: 'admin' });
      const asUser = await call(h, user, 'POST', '/internal/auth/verify-credentials', { mail: user.mail, password: user.password });
      expect(asUser.statusCode).toBe(404);
      const anonymous = await call(h, null, 'POST', '/internal/auth/verify-credentials', { mail: user.mail, password: user.password });
      expect(anonymous.statusCode).toBe(401);
    });
  });

  describe('POST /internal/auth/verify-api-key', () => {
    async function createKey(owner = undefined as Awaited<ReturnType<typeof createTestUser>> | undefined, body: Record<string, unknown> = {}) {
      const user = owner ?? (await createTestUser(h));
      const response = await call(h, user, 'POST', '/api_keys/me', { name: 'k', ...body });
      expect(response.statusCode).toBe(200);
      return { user, created: response.json() as { key: string; api_key_id: number } };
    }

    it('returns user, scopes and key id and records last_used_at', async () => {
      const admin = await createTestUser(h, { role: 'admin' });
      const { created } = await createKey(admin, { scopes: ['ohlcv:write', 'read'], expires_at: '2999-01-01T00:00:00Z' });
      const response = await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: created.key });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        user: { uid: admin.uid, mail: admin.mail, name: 'Test', role: 'admin', active: true },
        scopes: ['ohlcv:write', 'read'],
        api_key_id: created.api_key_id,
        expires_at: '2999-01-01T00:00:00.000Z',
      });
      const { rows } = await h.db.query<{ last_used_at: unknown }>('SELECT last_used_at FROM api_keys WHERE api_key_id = $1', [created.api_key_id]);
      expect(rows[0]?.last_used_at).not.toBeNull();
    });

    // Issue 10 finding #4: /auth/verify echoed whatever scopes a key row held.
    it('reports only allowlisted scopes, and "admin" only while the owner is an admin', async () => {
      const { user, created } = await createKey(undefined, { scopes: 'read,write' });
      await h.db.query("UPDATE api_keys SET scopes = ARRAY['read','write','admin','cache:*','ohlcv:*'] WHERE api_key_id = $1", [created.api_key_id]);
      const asUser = await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: created.key });
      expect(asUser.json().scopes).toEqual(['read', 'write']);
      await h.db.query("UPDATE users SET role = 'admin' WHERE uid = $1", [user.uid]);
      const asAdmin = await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: created.key });
      expect(asAdmin.json().scopes).toEqual(['read', 'write', 'admin']);
    });

    it.each([
      ['unknown', async () => 'fullon_ak_' + 'A'.repeat(43)],
      ['malformed', async () => "' OR 1=1 --"],
      ['deactivated', async () => {
        const { user, created } = await createKey();
        expect((await call(h, user, 'PATCH', `/api_keys/${created.api_key_id}/deactivate`)).statusCode).toBe(200);
        return created.key;
      }],
      ['expired', async () => (await createKey(undefined, { expires_at: '2000-01-01T00:00:00Z' })).created.key],
      ['owned by an inactive user', async () => {
        const { user, created } = await createKey();
        await h.db.query('UPDATE users SET active = false WHERE uid = $1', [user.uid]);
        return created.key;
      }],
    ])('answers 401 Invalid API key for a %s key', async (_name, key) => {
      const response = await call(h, GATEWAY, 'POST', '/internal/auth/verify-api-key', { api_key: await key() });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ detail: 'Invalid API key' });
    });

    it('is 404 for a user assertion', async () => {
      const { user, created } = await createKey();
      const response = await call(h, user, 'POST', '/internal/auth/verify-api-key', { api_key: created.key });
      expect(response.statusCode).toBe(404);
    });
  });

  describe('GET /internal/users/{uid}/ownership', () => {
    it('lists the exchange accounts and bots the user owns, and nobody else\'s', async () => {
      const [owner, other] = [await createTestUser(h), await createTestUser(h)];
      const { rows: [cat] } = await h.db.query<{ cat_ex_id: number }>("SELECT cat_ex_id FROM cat_exchanges WHERE name = 'kraken'");
      const ex = await h.db.query<{ ex_id: number }>('INSERT INTO exchanges (uid, cat_ex_id, name) VALUES ($1, $2, $3) RETURNING ex_id', [owner.uid, cat!.cat_ex_id, 'main']);
      const bot = await h.db.query<{ bot_id: number }>('INSERT INTO bots (uid, name) VALUES ($1, $2) RETURNING bot_id', [owner.uid, 'b']);
      await h.db.query('INSERT INTO bots (uid, name) VALUES ($1, $2)', [other.uid, 'not-mine']);
      const response = await call(h, GATEWAY, 'GET', `/internal/users/${owner.uid}/ownership`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ uid: owner.uid, ex_ids: [ex.rows[0]!.ex_id], bot_ids: [bot.rows[0]!.bot_id] });
      const empty = await call(h, GATEWAY, 'GET', `/internal/users/${other.uid}/ownership`);
      expect(empty.json()).toMatchObject({ ex_ids: [] });
    });

    it('is 404 for an unknown user and for a user assertion', async () => {
      const user = await createTestUser(h, { role: 'admin' });
      expect((await call(h, GATEWAY, 'GET', '/internal/users/2147483000/ownership')).statusCode).toBe(404);
      expect((await call(h, user, 'GET', `/internal/users/${user.uid}/ownership`)).statusCode).toBe(404);
    });
  });
}
