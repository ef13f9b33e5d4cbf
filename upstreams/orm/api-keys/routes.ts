// /api_keys: a user's own API keys. The key itself is returned once, on
// creation; listings show only the visible prefix. Someone else's key → 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { forbidden, notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { isAdmin, listScopeUid, requireOwnedRow } from '../db/ownership.ts';
import { listPage, pageQuerySchema } from '../db/pagination.ts';
import { MAX_NOTE, idParam, idSchema, optionalText, text } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { generateApiKey } from './key-material.ts';
import { privilegedScopesIn, scopesSchema } from './scopes.ts';

const KEY_COLUMNS = 'api_key_id, uid, key_prefix, name, description, scopes, is_active, expires_at, last_used_at, created_at';

// expires_at may lie in the past: such a key is created unusable (verify-api-key
// refuses it), which is how tests and examples get an "expired key" without waiting.
const createKeySchema = z.strictObject({
  name: text(100),
  description: optionalText(MAX_NOTE),
  scopes: scopesSchema.default([]),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
});

const listKeysQuerySchema = z.object({ uid: idSchema.optional() });

export function registerApiKeyRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  app.post('/api_keys/me', async (request, reply) => {
    const identity = identityOf(request);
    const body = parseOr422(createKeySchema, request.body, 'body');
    const privileged = privilegedScopesIn(body.scopes);
    if (privileged.length > 0 && !isAdmin(identity)) throw forbidden(`Admin access required for scope ${privileged.join(', ')}`);
    const material = generateApiKey();
    const { rows } = await db.query<Record<string, unknown>>(
      `INSERT INTO api_keys (uid, key, key_prefix, name, description, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${KEY_COLUMNS}`,
      [identity.userId, material.hash, material.prefix, body.name, body.description ?? null, body.scopes, body.expires_at ?? null],
    );
    return reply.code(201).send({ ...rows[0], key: material.key, api_key: material.key });
  });

  app.get('/api_keys/me', async (request) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const filter = new SqlFilter().add('uid = ?', identity.userId);
    return listPage(db, { select: `SELECT ${KEY_COLUMNS} FROM api_keys`, from: 'api_keys', filter, orderBy: 'api_key_id', page });
  });

  app.get('/api_keys', async (request) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listKeysQuerySchema, request.query, 'query');
    const filter = new SqlFilter().addIf('uid = ?', listScopeUid(identity, query.uid));
    return listPage(db, { select: `SELECT ${KEY_COLUMNS} FROM api_keys`, from: 'api_keys', filter, orderBy: 'api_key_id', page });
  });

  app.get('/api_keys/:api_key_id', async (request) => {
    const { api_key_id } = parseOr422(idParam('api_key_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'api_keys', api_key_id, 'API key');
    const { rows } = await db.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE api_key_id = $1`, [api_key_id]);
    if (!rows[0]) throw notFound('API key not found');
    return rows[0];
  });

  app.patch('/api_keys/:api_key_id/deactivate', async (request) => {
    const { api_key_id } = parseOr422(idParam('api_key_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'api_keys', api_key_id, 'API key');
    const { rows } = await db.query(`UPDATE api_keys SET is_active = false WHERE api_key_id = $1 RETURNING ${KEY_COLUMNS}`, [api_key_id]);
    if (!rows[0]) throw notFound('API key not found');
    return rows[0];
  });

  app.delete('/api_keys/:api_key_id', async (request, reply) => {
    const { api_key_id } = parseOr422(idParam('api_key_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'api_keys', api_key_id, 'API key');
    await db.query('DELETE FROM api_keys WHERE api_key_id = $1', [api_key_id]);
    return reply.code(204).send();
  });
}
