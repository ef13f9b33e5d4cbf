// /exchanges/user-exchanges: a user's exchange accounts. API credentials are
// accepted on create/patch, stored encrypted, and never returned — responses
// only say has_credentials. Someone else's account → 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { bodySchema, parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { listScopeUid, requireOwnedRow, resolveTargetUid } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idParam, idSchema, queryBool, text } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { buildSet } from '../db/sql-update.ts';
import { USER_EXCHANGE_SELECT } from './exchange-columns.ts';
import { doc, listDoc } from '../http/route-docs.ts';

const credentialsSchema = bodySchema({ key: text(512), secret: text(2048), passphrase: z.string().max(512).optional() });

// fullon clients send is_testnet for test, and api_key / api_secret (/ passphrase)
// beside the credentials object; both spellings are read, the credentials object wins.
const fullonFields = {
  is_testnet: z.boolean().optional(),
  api_key: text(512).optional(),
  api_secret: text(2048).optional(),
  passphrase: z.string().max(512).optional(),
};

const createSchema = bodySchema({
  cat_ex_id: idSchema,
  name: text(100),
  test: z.boolean().optional(),
  active: z.boolean().default(true),
  uid: idSchema.optional(),
  credentials: credentialsSchema.optional(),
  ...fullonFields,
}).transform(({ is_testnet, api_key, api_secret, passphrase, ...body }) => ({
  ...body,
  test: body.test ?? is_testnet ?? false,
  credentials: body.credentials ?? flatCredentials(api_key, api_secret, passphrase),
}));

const patchSchema = bodySchema({
  name: text(100).optional(),
  test: z.boolean().optional(),
  active: z.boolean().optional(),
  /** null removes the stored credentials. */
  credentials: credentialsSchema.nullable().optional(),
  ...fullonFields,
}).transform(({ is_testnet, api_key, api_secret, passphrase, ...body }) => ({
  ...body,
  test: body.test ?? is_testnet,
  credentials: body.credentials !== undefined ? body.credentials : flatCredentials(api_key, api_secret, passphrase),
}));

function flatCredentials(key: string | undefined, secret: string | undefined, passphrase: string | undefined) {
  if (key === undefined || secret === undefined) return undefined;
  return passphrase === undefined ? { key, secret } : { key, secret, passphrase };
}

const listQuerySchema = z.object({
  uid: idSchema.optional(),
  cat_ex_id: idSchema.optional(),
  name: z.string().max(100).optional(),
  active: queryBool.optional(),
});

export function registerUserExchangeRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db, cipher } = ctx;
  const selectOne = async (exId: number) => {
    const { rows } = await db.query(`${USER_EXCHANGE_SELECT} WHERE e.ex_id = $1`, [exId]);
    if (!rows[0]) throw notFound('Exchange not found');
    return rows[0];
  };

  app.get('/exchanges/user-exchanges', listDoc('exchanges', "The caller's exchange accounts", { query: listQuerySchema }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listQuerySchema, request.query, 'query');
    const filter = new SqlFilter()
      .addIf('e.uid = ?', listScopeUid(identity, query.uid))
      .addIf('e.cat_ex_id = ?', query.cat_ex_id)
      .addIf('e.name = ?', query.name)
      .addIf('e.active = ?', query.active);
    return sendPage(request, reply, await listPage(db, { select: USER_EXCHANGE_SELECT, from: 'exchanges e', filter, orderBy: 'e.ex_id', page }));
  });

  app.post('/exchanges/user-exchanges', doc('exchanges', 'Open an exchange account (credentials stored encrypted, never returned)', { body: createSchema }), async (request, reply) => {
    const identity = identityOf(request);
    const body = parseOr422(createSchema, request.body, 'body');
    const uid = resolveTargetUid(identity, body.uid);
    const { rows } = await db.query<{ ex_id: number }>(
      'INSERT INTO exchanges (uid, cat_ex_id, name, test, active, credentials) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ex_id',
      [uid, body.cat_ex_id, body.name, body.test, body.active, body.credentials ? cipher.encrypt(body.credentials) : null],
    );
    return await selectOne(rows[0]!.ex_id);
  });

  app.get('/exchanges/user-exchanges/:ex_id', doc('exchanges', 'An exchange account', { params: idParam('ex_id') }), async (request) => {
    const { ex_id } = parseOr422(idParam('ex_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'exchanges', ex_id, 'Exchange');
    return selectOne(ex_id);
  });

  app.patch('/exchanges/user-exchanges/:ex_id', doc('exchanges', 'Change an exchange account', { params: idParam('ex_id'), body: patchSchema }), async (request) => {
    const { ex_id } = parseOr422(idParam('ex_id'), request.params, 'path');
    const { credentials, ...fields } = parseOr422(patchSchema, request.body ?? {}, 'body');
    await requireOwnedRow(db, identityOf(request), 'exchanges', ex_id, 'Exchange');
    const changes: Record<string, unknown> = { ...fields };
    if (credentials !== undefined) changes.credentials = credentials === null ? null : cipher.encrypt(credentials);
    const { sets, params } = buildSet(changes, 2);
    if (sets.length > 0) await db.query(`UPDATE exchanges SET ${sets.join(', ')} WHERE ex_id = $1`, [ex_id, ...params]);
    return selectOne(ex_id);
  });

  app.delete('/exchanges/user-exchanges/:ex_id', doc('exchanges', 'Delete an exchange account', { params: idParam('ex_id'), response: { 204: { description: 'Deleted' } } }), async (request, reply) => {
    const { ex_id } = parseOr422(idParam('ex_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'exchanges', ex_id, 'Exchange');
    await db.query('DELETE FROM exchanges WHERE ex_id = $1', [ex_id]);
    return reply.code(204).send();
  });
}
