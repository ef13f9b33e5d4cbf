// Name → id resolvers fullon clients call (get_exchange_id, get_exchange_cat_id)
// and GET /exchanges, the caller's exchange accounts (fullon's get_exchange).
// Names match case-insensitively ("Binance" finds binance); an unknown name is a
// 404 that says which name was not found.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound, unprocessable } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { requestedOwnerScope } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idSchema } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { USER_EXCHANGE_SELECT } from './exchange-columns.ts';
import { doc, listDoc } from '../http/route-docs.ts';

const name = z.string().trim().min(1).max(100);
const exchangesQuery = z.object({ user_id: idSchema.optional(), uid: idSchema.optional(), ex_id: idSchema.optional(), exchange_name: name.optional() });
const idByNameQuery = z.object({ name, user_id: idSchema.optional() });
const catalogIdQuery = z.object({ exchange_name: name.optional(), name: name.optional() });

export function registerExchangeResolverRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  app.get('/exchanges', listDoc('exchanges', "The caller's exchange accounts (fullon's get_exchange), by ex_id or exchange_name", { query: exchangesQuery }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const q = parseOr422(exchangesQuery, request.query, 'query');
    const filter = new SqlFilter()
      .addIf('e.uid = ?', requestedOwnerScope(identity, q.user_id ?? q.uid))
      .addIf('e.ex_id = ?', q.ex_id)
      .addIf('lower(c.name) = lower(?)', q.exchange_name);
    return sendPage(request, reply, await listPage(db, { select: USER_EXCHANGE_SELECT, from: 'exchanges e JOIN cat_exchanges c ON c.cat_ex_id = e.cat_ex_id', filter, orderBy: 'e.ex_id', page }));
  });

  // The caller's exchange account with that name: its own name first, else the
  // account on the catalog exchange of that name (fullon: get_exchange_id(name, user_id)).
  app.get('/exchanges/id-by-name', doc('exchanges', "The caller's exchange account id by account or exchange name (case-insensitive); 404 naming an unknown name", { query: idByNameQuery, response: { 200: z.object({ exchange_id: z.number(), ex_id: z.number(), name: z.string() }) } }), async (request) => {
    const identity = identityOf(request);
    const q = parseOr422(idByNameQuery, request.query, 'query');
    const uid = requestedOwnerScope(identity, q.user_id) ?? identity.userId;
    const { rows } = await db.query<{ ex_id: number }>(
      `SELECT e.ex_id FROM exchanges e JOIN cat_exchanges c ON c.cat_ex_id = e.cat_ex_id
       WHERE e.uid = $1 AND (lower(e.name) = lower($2) OR lower(c.name) = lower($2))
       ORDER BY (lower(e.name) = lower($2)) DESC, e.active DESC, e.ex_id LIMIT 1`,
      [uid, q.name],
    );
    if (!rows[0]) throw notFound(`Exchange '${q.name}' not found`);
    return { exchange_id: rows[0].ex_id, ex_id: rows[0].ex_id, name: q.name };
  });

  app.get('/exchanges/catalog-id', doc('exchanges', 'A catalog exchange id by name (case-insensitive); 404 naming an unknown name', { query: catalogIdQuery, response: { 200: z.object({ cat_ex_id: z.number(), exchange_name: z.string() }) } }), async (request) => {
    const q = parseOr422(catalogIdQuery, request.query, 'query');
    const wanted = q.exchange_name ?? q.name;
    if (wanted === undefined) throw unprocessable([{ loc: ['query', 'exchange_name'], msg: 'Field required', type: 'missing' }]);
    const { rows } = await db.query<{ cat_ex_id: number; name: string }>('SELECT cat_ex_id, name FROM cat_exchanges WHERE lower(name) = lower($1)', [wanted]);
    if (!rows[0]) throw notFound(`Exchange '${wanted}' not found in catalog`);
    return { cat_ex_id: rows[0].cat_ex_id, exchange_name: rows[0].name };
  });
}
