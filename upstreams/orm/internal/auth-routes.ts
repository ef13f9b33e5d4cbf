// Internal endpoints the gateway's auth calls (never routed publicly; anyone but
// the gateway's service identity gets 404): check a mail + password, check an
// API key, read a token holder's role and active state. The checks answer 401
// alike for every kind of miss, so nothing leaks.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { unauthorized } from '../../common/errors.ts';
import { requireGateway } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import { KeyUseThrottle } from '../api-keys/key-use-throttle.ts';
import { effectiveScopes } from '../api-keys/scopes.ts';
import { hashApiKey, looksLikeApiKey, MAX_API_KEY_LENGTH, sameHash } from '../api-keys/key-material.ts';
import type { OrmContext } from '../context.ts';
import { PasswordCheckSlots, readPasswordCheckSlots } from '../users/password-check-slots.ts';
import { verifyPassword } from '../users/passwords.ts';
import { findUserById, findUserByMail } from '../users/user-store.ts';

const credentialsSchema = z.object({ mail: z.string().max(320), password: z.string().max(1024) });
const apiKeySchema = z.object({ api_key: z.string().max(MAX_API_KEY_LENGTH * 4) });
const userStatusSchema = z.object({ uid: z.number().int().min(1).max(2_147_483_647) });

interface KeyRow {
  api_key_id: number;
  key: string;
  scopes: string[];
  is_active: boolean;
  expires_at: Date | string | null;
  uid: number;
  mail: string;
  name: string | null;
  role: string;
  active: boolean;
}

export function registerInternalAuthRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db, settings, logger } = ctx;
  const throttle = new KeyUseThrottle(settings.apiKeyTouchIntervalMs);
  const passwordChecks = new PasswordCheckSlots(readPasswordCheckSlots());

  app.post('/internal/auth/verify-credentials', async (request, reply) => {
    requireGateway(request);
    const body = parseOr422(credentialsSchema, request.body, 'body');
    const user = await findUserByMail(db, body.mail.trim());
    // Always run bcrypt, even for an unknown mail, so timing does not tell them apart.
    // Bounded: a login flood queues here instead of starving everyone else.
    const gone = new AbortController();
    reply.raw.once('close', () => reply.raw.writableFinished || gone.abort());
    const ok = await passwordChecks.run(() => verifyPassword(body.password, user?.password, settings.bcryptRounds), gone.signal);
    if (!user || !ok || !user.active) throw unauthorized('Invalid credentials');
    return { uid: user.uid, mail: user.mail, name: user.name, lastname: user.lastname, role: normaliseRole(user.role), active: user.active };
  });

  // A token (the gateway's or one minted the fullon way) names its user by id; its
  // role and active state are the orm's, read here (the gateway caches them ≤ 5 s).
  app.post('/internal/auth/user-status', async (request) => {
    requireGateway(request);
    const { uid } = parseOr422(userStatusSchema, request.body, 'body');
    const user = await findUserById(db, uid);
    if (!user) throw unauthorized('Unknown user');
    return { uid: user.uid, mail: user.mail, name: user.name, role: normaliseRole(user.role), active: user.active };
  });

  app.post('/internal/auth/verify-api-key', async (request) => {
    requireGateway(request);
    const { api_key } = parseOr422(apiKeySchema, request.body, 'body');
    if (!looksLikeApiKey(api_key)) throw unauthorized('Invalid API key');
    const hash = hashApiKey(api_key);
    const { rows } = await db.query<KeyRow>(
      `SELECT k.api_key_id, k.key, k.scopes, k.is_active, k.expires_at, u.uid, u.mail, u.name, u.role, u.active
       FROM api_keys k JOIN users u ON u.uid = k.uid WHERE k.key = $1`,
      [hash],
    );
    const row = rows[0];
    const expiresAt = row?.expires_at ? new Date(row.expires_at) : null;
    if (!row || !sameHash(row.key, hash) || !row.is_active || !row.active || (expiresAt && expiresAt.getTime() <= Date.now())) {
      throw unauthorized('Invalid API key');
    }
    if (throttle.shouldWrite(row.api_key_id)) {
      // A failed bookkeeping write must not fail the caller's request.
      await db.query('UPDATE api_keys SET last_used_at = now() WHERE api_key_id = $1', [row.api_key_id]).catch((error: unknown) => {
        logger.warn({ err: error, api_key_id: row.api_key_id }, 'could not record API key use');
      });
    }
    return {
      user: { uid: row.uid, mail: row.mail, name: row.name, role: normaliseRole(row.role), active: row.active },
      scopes: effectiveScopes(row.scopes, normaliseRole(row.role)),
      api_key_id: row.api_key_id,
      expires_at: expiresAt ? expiresAt.toISOString() : null,
    };
  });
}

function normaliseRole(role: string): 'admin' | 'user' {
  return role === 'admin' ? 'admin' : 'user';
}
