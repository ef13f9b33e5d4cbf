// /symbols: the tradable symbols per catalog exchange. Everyone may read and
// search; only an admin may add or change them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../common/errors.ts';
import { requireAdmin } from '../../common/server.ts';
import { bodySchema, parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idParam, idSchema, optionalText, queryBool, text } from '../db/params.ts';
import { SqlFilter, escapeLike } from '../db/sql-filter.ts';
import { buildSet } from '../db/sql-update.ts';
import { SYMBOL_SELECT } from './symbol-columns.ts';
import { doc, listDoc } from '../http/route-docs.ts';

const FROM = 'symbols s JOIN cat_exchanges c ON c.cat_ex_id = s.cat_ex_id';

const symbolFields = {
  updateframe: z.string().max(16).regex(/^[0-9]+[a-zA-Z]+$|^[a-z]+$/, 'updateframe like "1h"').optional(),
  backtest: z.number().int().min(0).max(100_000).optional(),
  decimals: z.number().int().min(0).max(18).optional(),
  base: optionalText(32),
  quote: optionalText(32),
  ex_base: optionalText(32),
  futures: z.boolean().optional(),
  only_ticker: z.boolean().optional(),
};

// The names fullon clients send beside fullon's columns: base_asset → base,
// quote_asset → quote, price_decimals → decimals (fullon's column wins when both come).
const clientFields = {
  base_asset: optionalText(32),
  quote_asset: optionalText(32),
  price_decimals: z.number().int().min(0).max(18).optional(),
  quantity_decimals: z.number().int().min(0).max(18).nullable().optional(),
  active: z.boolean().optional(),
};

function toColumns<T extends { base_asset?: string | null | undefined; quote_asset?: string | null | undefined; price_decimals?: number | undefined; base?: string | null | undefined; quote?: string | null | undefined; decimals?: number | undefined }>(body: T) {
  const { base_asset, quote_asset, price_decimals, ...columns } = body;
  return { ...columns, base: columns.base ?? base_asset, quote: columns.quote ?? quote_asset, decimals: columns.decimals ?? price_decimals };
}

const createSchema = bodySchema({ symbol: text(64), cat_ex_id: idSchema, ...symbolFields, ...clientFields }).transform(toColumns);
const patchSchema = bodySchema({ symbol: text(64).optional(), ...symbolFields, ...clientFields }).transform(toColumns);

const byExchangeQuery = z.object({ cat_ex_id: idSchema });
const searchQuery = z.object({ q: z.string().trim().min(1).max(64), cat_ex_id: idSchema.optional() });
const decimalsQuery = z.object({ symbol: z.string().trim().min(1).max(64), cat_ex_id: idSchema.optional(), exchange: z.string().max(64).optional() });

const listQuerySchema = z.object({
  cat_ex_id: idSchema.optional(),
  exchange: z.string().max(64).optional(),
  symbol: z.string().max(64).optional(),
  base: z.string().max(32).optional(),
  quote: z.string().max(32).optional(),
  futures: queryBool.optional(),
});

export function registerSymbolRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  const selectOne = async (symbolId: number) => {
    const { rows } = await db.query(`${SYMBOL_SELECT} WHERE s.symbol_id = $1`, [symbolId]);
    if (!rows[0]) throw notFound('Symbol not found');
    return rows[0];
  };

  app.get('/symbols', listDoc('symbols', 'Symbols', { query: listQuerySchema }), async (request, reply) => {
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listQuerySchema, request.query, 'query');
    const filter = new SqlFilter()
      .addIf('s.cat_ex_id = ?', query.cat_ex_id)
      .addIf('c.name = ?', query.exchange)
      .addIf('s.symbol = ?', query.symbol)
      .addIf('s.base = ?', query.base)
      .addIf('s.quote = ?', query.quote)
      .addIf('s.futures = ?', query.futures);
    return sendPage(request, reply, await listPage(db, { select: SYMBOL_SELECT, from: FROM, filter, orderBy: 's.symbol_id', page }));
  });

  app.get('/symbols/by-exchange', listDoc('symbols', "A catalog exchange's symbols", { query: byExchangeQuery }), async (request, reply) => {
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const { cat_ex_id } = parseOr422(byExchangeQuery, request.query, 'query');
    const filter = new SqlFilter().add('s.cat_ex_id = ?', cat_ex_id);
    return sendPage(request, reply, await listPage(db, { select: SYMBOL_SELECT, from: FROM, filter, orderBy: 's.symbol_id', page }));
  });

  app.get('/symbols/search', listDoc('symbols', 'Symbols whose symbol, base or quote contains q', { query: searchQuery }), async (request, reply) => {
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const { q, cat_ex_id } = parseOr422(searchQuery, request.query, 'query');
    const pattern = `%${escapeLike(q)}%`;
    const filter = new SqlFilter()
      .add(`(s.symbol ILIKE ? ESCAPE '\\' OR s.base ILIKE ? ESCAPE '\\' OR s.quote ILIKE ? ESCAPE '\\')`, pattern)
      .addIf('s.cat_ex_id = ?', cat_ex_id);
    return sendPage(request, reply, await listPage(db, { select: SYMBOL_SELECT, from: FROM, filter, orderBy: 's.symbol, s.symbol_id', page }));
  });

  // fullon's get_symbol_decimals(symbol, cat_ex_id): 404 naming the symbol when unknown.
  app.get('/symbols/decimals', doc('symbols', "A symbol's decimals (fullon's get_symbol_decimals); 404 naming an unknown symbol", { query: decimalsQuery }), async (request) => {
    const q = parseOr422(decimalsQuery, request.query, 'query');
    const filter = new SqlFilter().add('s.symbol = ?', q.symbol).addIf('s.cat_ex_id = ?', q.cat_ex_id).addIf('lower(c.name) = lower(?)', q.exchange);
    const { where, params } = filter.build();
    const { rows } = await db.query(`SELECT s.symbol_id, s.symbol, s.cat_ex_id, c.name AS exchange_name, s.decimals, s.decimals AS price_decimals, s.quantity_decimals FROM ${FROM} ${where} ORDER BY s.symbol_id LIMIT 1`, params);
    if (!rows[0]) throw notFound(`Symbol '${q.symbol}' not found`);
    return rows[0];
  });

  app.get('/symbols/:symbol_id', doc('symbols', 'A symbol', { params: idParam('symbol_id') }), async (request) => {
    const { symbol_id } = parseOr422(idParam('symbol_id'), request.params, 'path');
    return selectOne(symbol_id);
  });

  app.post('/symbols', doc('symbols', 'Add a symbol (admin)', { body: createSchema }), async (request, reply) => {
    requireAdmin(request);
    const body = parseOr422(createSchema, request.body, 'body');
    const columns = Object.keys(body).filter((key) => body[key as keyof typeof body] !== undefined);
    const { rows } = await db.query<{ symbol_id: number }>(
      `INSERT INTO symbols (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING symbol_id`,
      columns.map((key) => body[key as keyof typeof body]),
    );
    return await selectOne(rows[0]!.symbol_id);
  });

  app.patch('/symbols/:symbol_id', doc('symbols', 'Change a symbol (admin)', { params: idParam('symbol_id'), body: patchSchema }), async (request) => {
    requireAdmin(request);
    const { symbol_id } = parseOr422(idParam('symbol_id'), request.params, 'path');
    const { sets, params } = buildSet(parseOr422(patchSchema, request.body ?? {}, 'body'), 2);
    if (sets.length > 0) {
      const { rowCount } = await db.query(`UPDATE symbols SET ${sets.join(', ')} WHERE symbol_id = $1`, [symbol_id, ...params]);
      if (rowCount === 0) throw notFound('Symbol not found');
    }
    return selectOne(symbol_id);
  });
}
