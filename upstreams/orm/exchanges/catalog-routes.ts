// /exchanges/catalog: the exchanges fullon supports (cat_exchanges), their
// params and symbols. Read-only, visible to every authenticated user.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/errors.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idParam } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { SYMBOL_SELECT } from '../symbols/symbol-columns.ts';
import { doc, listDoc } from '../http/route-docs.ts';

const CATALOG_SELECT = `SELECT c.cat_ex_id, c.name, c.ohlcv_view,
  coalesce((SELECT jsonb_object_agg(p.name, p.value) FROM cat_exchanges_params p WHERE p.cat_ex_id = c.cat_ex_id), '{}'::jsonb) AS params
  FROM cat_exchanges c`;

export function registerExchangeCatalogRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  app.get('/exchanges/catalog', listDoc('exchanges', 'The exchanges fullon supports'), async (request, reply) => {
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    return sendPage(request, reply, await listPage(db, { select: CATALOG_SELECT, from: 'cat_exchanges c', filter: new SqlFilter(), orderBy: 'c.cat_ex_id', page }));
  });

  app.get('/exchanges/catalog/:cat_ex_id', doc('exchanges', 'A catalog exchange with its params', { params: idParam('cat_ex_id') }), async (request) => {
    const { cat_ex_id } = parseOr422(idParam('cat_ex_id'), request.params, 'path');
    const { rows } = await db.query(`${CATALOG_SELECT} WHERE c.cat_ex_id = $1`, [cat_ex_id]);
    if (!rows[0]) throw notFound('Exchange not found in catalog');
    return rows[0];
  });

  // An object, as fullon clients read it: {cat_ex_id, name, params: {name: value}}.
  app.get('/exchanges/catalog/:cat_ex_id/params', doc('exchanges', "A catalog exchange's params: {cat_ex_id, name, params: {name: value}}", { params: idParam('cat_ex_id') }), async (request) => {
    const { cat_ex_id } = parseOr422(idParam('cat_ex_id'), request.params, 'path');
    const { rows } = await db.query(`SELECT cat_ex_id, name, params FROM (${CATALOG_SELECT}) c WHERE c.cat_ex_id = $1`, [cat_ex_id]);
    if (!rows[0]) throw notFound('Exchange not found in catalog');
    return rows[0];
  });

  app.get('/exchanges/catalog/:cat_ex_id/symbols', listDoc('exchanges', "A catalog exchange's symbols", { params: idParam('cat_ex_id') }), async (request, reply) => {
    const { cat_ex_id } = parseOr422(idParam('cat_ex_id'), request.params, 'path');
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    await requireCatalogExchange(ctx, cat_ex_id);
    const filter = new SqlFilter().add('s.cat_ex_id = ?', cat_ex_id);
    return sendPage(request, reply, await listPage(db, { select: SYMBOL_SELECT, from: 'symbols s', filter, orderBy: 's.symbol_id', page }));
  });
}

async function requireCatalogExchange(ctx: OrmContext, catExId: number): Promise<void> {
  const { rowCount } = await ctx.db.query('SELECT 1 FROM cat_exchanges WHERE cat_ex_id = $1', [catExId]);
  if (rowCount === 0) throw notFound('Exchange not found in catalog');
}
