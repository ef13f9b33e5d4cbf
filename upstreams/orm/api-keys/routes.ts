// /api_keys: a user's own API keys. The key itself is returned once, on
// creation; listings show only the visible prefix. Someone else's key → 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Identity } from '../../common/assertion.ts';
import { notFound, unprocessable } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { bodySchema, parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { announceInvalidation } from '../internal/auth-invalidation.ts';
import { isAdmin, listScopeUid, requireOwnedRow, resolveTargetUid } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { MAX_NOTE, idParam, idSchema, optionalText, text } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { generateApiKey } from './key-material.ts';
import { grantableScopes, privilegedScopesIn, scopesSchema } from './scopes.ts';
import { doc, listDoc } from '../http/route-docs.ts';

const KEY_COLUMNS = 'api_key_id, uid, key_prefix, name, description, scopes, is_active, expires_at, last_used_at, created_at';

// expires_at may lie in the past: such a key is created unusable (verify-api-key
// refuses it), which is how tests and examples get an "expired key" without waiting.
const createKeySchema = bodySchema({
  name: text(100),
  description: optionalText(MAX_NOTE),
  scopes: scopesSchema.default([]),
  expires_at: z.iso.datetime({ offset: true, local: true }).nullable().optional(),
  /** Whose key (admins only); the same as ?uid=. */
  uid: idSchema.optional(),
});

const createKeyQuerySchema = z.object({ uid: idSchema.optional() });

const listKeysQuerySchema = z.object({ uid: idSchema.optional() });

export function registerApiKeyRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  app.post('/api_keys/me', doc('api keys', 'Create an API key (the key is shown once); an admin may name ?uid=', { query: createKeyQuerySchema, body: createKeySchema }), async (request) => {
    const identity = identityOf(request);
    const body = parseOr422(createKeySchema, request.body, 'body');
    const owner = await resolveKeyOwner(ctx, identity, parseOr422(createKeyQuerySchema, request.query, 'query').uid, body.uid);
    const privileged = privilegedScopesIn(body.scopes);
    if (privileged.length > 0 && !isAdmin(identity)) {
      // A key never exceeds the one who grants it: say which scopes, and which are allowed.
      throw unprocessable([{
        loc: ['body', 'scopes'],
        msg: `scope ${privileged.join(', ')} exceeds your role (user); a user may grant only: ${grantableScopes('user').join(', ')}`,
        type: 'value_error',
      }]);
    }
    const material = generateApiKey();
    const { rows } = await db.query<Record<string, unknown>>(
      `INSERT INTO api_keys (uid, key, key_prefix, name, description, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${KEY_COLUMNS}`,
      [owner, material.hash, material.prefix, body.name, body.description ?? null, body.scopes, body.expires_at ?? null],
    );
    return { ...rows[0], key: material.key, api_key: material.key };
  });

  app.get('/api_keys/me', listDoc('api keys', "The caller's API keys"), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const filter = new SqlFilter().add('uid = ?', identity.userId);
    return sendPage(request, reply, await listPage(db, { select: `SELECT ${KEY_COLUMNS} FROM api_keys`, from: 'api_keys', filter, orderBy: 'api_key_id', page }));
  });

  app.get('/api_keys', listDoc('api keys', 'API keys (an admin: every user\'s, or ?uid=)', { query: listKeysQuerySchema }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listKeysQuerySchema, request.query, 'query');
    const filter = new SqlFilter().addIf('uid = ?', listScopeUid(identity, query.uid));
    return sendPage(request, reply, await listPage(db, { select: `SELECT ${KEY_COLUMNS} FROM api_keys`, from: 'api_keys', filter, orderBy: 'api_key_id', page }));
  });

  app.get('/api_keys/:api_key_id', doc('api keys', 'An API key', { params: idParam('api_key_id') }), async (request) => {
    const { api_key_id } = parseOr422(idParam('api_key_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'api_keys', api_key_id, 'API key');
    const { rows } = await db.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE api_key_id = $1`, [api_key_id]);
    if (!rows[0]) throw notFound('API key not found');
    return rows[0];
  });

  app.patch('/api_keys/:api_key_id/deactivate', doc('api keys', 'Deactivate an API key', { params: idParam('api_key_id') }), async (request, reply) => {
    const { api_key_id } = parseOr422(idParam('api_key_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'api_keys', api_key_id, 'API key');
    const { rows } = await db.query(`UPDATE api_keys SET is_active = false WHERE api_key_id = $1 RETURNING ${KEY_COLUMNS}`, [api_key_id]);
    if (!rows[0]) throw notFound('API key not found');
    announceInvalidation(reply, 'api_key', api_key_id);
    return rows[0];
  });

  app.delete('/api_keys/:api_key_id', doc('api keys', 'Delete an API key', { params: idParam('api_key_id'), response: { 204: { description: 'Deleted' } } }), async (request, reply) => {
    const { api_key_id } = parseOr422(idParam('api_key_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'api_keys', api_key_id, 'API key');
    await db.query('DELETE FROM api_keys WHERE api_key_id = $1', [api_key_id]);
    announceInvalidation(reply, 'api_key', api_key_id);
    return reply.code(204).send();
  });
}

/**
 * Whose key a create makes: the caller's own, or (admins only) the uid named in
 * ?uid= or the body. Never a key for someone other than asked: two different
 * uids, or a uid with no user, are refused.
 */
async function resolveKeyOwner(ctx: OrmContext, identity: Identity, queryUid: number | undefined, bodyUid: number | undefined): Promise<number> {
  if (queryUid !== undefined && bodyUid !== undefined && queryUid !== bodyUid) {
    throw unprocessable([{ loc: ['query', 'uid'], msg: 'uid in the query and in the body differ', type: 'value_error' }]);
  }
  const uid = resolveTargetUid(identity, queryUid ?? bodyUid);
  if (uid === identity.userId) return uid;
  const { rowCount } = await ctx.db.query('SELECT 1 FROM users WHERE uid = $1', [uid]);
  if (rowCount === 0) throw unprocessable([{ loc: [queryUid !== undefined ? 'query' : 'body', 'uid'], msg: `no user with uid ${uid}`, type: 'value_error' }]);
  return uid;
}
