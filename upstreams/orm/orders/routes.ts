// /orders: orders placed by a user's bots. Creating one needs a bot the caller
// owns; the exchange comes from an owned exchange account (ex_id) or the catalog
// (cat_ex_id). Someone else's order or bot → 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound, unprocessable } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { listScopeUid, requireOwnedRow } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idParam, idSchema } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { buildSet } from '../db/sql-update.ts';
import { ORDER_COLUMNS } from './order-columns.ts';
import { OPEN_STATUSES, createOrderSchema, listOrdersQuerySchema, statusPatchSchema } from './schemas.ts';
import { doc, listDoc } from '../http/route-docs.ts';

export function registerOrderRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  const selectOne = async (orderId: number) => {
    const { rows } = await db.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = $1`, [orderId]);
    if (!rows[0]) throw notFound('Order not found');
    return rows[0];
  };
  const list = (filter: SqlFilter, page: z.output<typeof pageQuerySchema>) =>
    listPage(db, { select: `SELECT ${ORDER_COLUMNS} FROM orders`, from: 'orders', filter, orderBy: 'order_id DESC', page });

  app.post('/orders', doc('orders', "Place an order for an owned bot (fullon's volume, never amount)", { body: createOrderSchema }), async (request, reply) => {
    const identity = identityOf(request);
    const body = parseOr422(createOrderSchema, request.body, 'body');
    const bot = await requireOwnedRow(db, identity, 'bots', body.bot_id, 'Bot');
    const exchange = await resolveExchange(ctx, bot.uid, body.ex_id, body.cat_ex_id);
    const { rows } = await db.query<{ order_id: number }>(
      `INSERT INTO orders (bot_id, uid, ex_id, ex_order_id, cat_ex_id, exchange, symbol, order_type, side, volume, price, plimit, tick,
         futures, leverage, status, command, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING order_id`,
      [body.bot_id, bot.uid, body.ex_id ?? null, body.ex_order_id ?? null, exchange.cat_ex_id, exchange.name, body.symbol, body.order_type,
        body.side, body.volume, body.price ?? null, body.plimit ?? null, body.tick ?? null, body.futures, body.leverage ?? null, body.status,
        body.command ?? null, body.reason ?? null],
    );
    return await selectOne(rows[0]!.order_id);
  });

  app.get('/orders', listDoc('orders', 'Orders, newest first', { query: listOrdersQuerySchema }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listOrdersQuerySchema, request.query, 'query');
    if (query.bot_id !== undefined) await requireOwnedRow(db, identity, 'bots', query.bot_id, 'Bot');
    const filter = new SqlFilter()
      .addIf('uid = ?', listScopeUid(identity, query.uid))
      .addIf('bot_id = ?', query.bot_id)
      .addIf('status = ?', query.status)
      .addIf('symbol = ?', query.symbol)
      .addIf('side = ?', query.side);
    return sendPage(request, reply, await list(filter, page));
  });

  app.get('/orders/by-bot', listDoc('orders', "A bot's orders", { query: listOrdersQuerySchema }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listOrdersQuerySchema.extend({ bot_id: idSchema }), request.query, 'query');
    await requireOwnedRow(db, identity, 'bots', query.bot_id, 'Bot');
    const filter = new SqlFilter().add('bot_id = ?', query.bot_id).addIf('status = ?', query.status).addIf('symbol = ?', query.symbol);
    return sendPage(request, reply, await list(filter, page));
  });

  app.get('/orders/open', listDoc('orders', 'Open orders (New, Open, PartiallyFilled)', { query: listOrdersQuerySchema }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listOrdersQuerySchema, request.query, 'query');
    if (query.bot_id !== undefined) await requireOwnedRow(db, identity, 'bots', query.bot_id, 'Bot');
    const filter = new SqlFilter()
      .add('status = ANY(?::text[])', [...OPEN_STATUSES])
      .addIf('uid = ?', listScopeUid(identity, query.uid))
      .addIf('bot_id = ?', query.bot_id)
      .addIf('symbol = ?', query.symbol);
    return sendPage(request, reply, await list(filter, page));
  });

  app.get('/orders/:order_id', doc('orders', 'An order', { params: idParam('order_id') }), async (request) => {
    const { order_id } = parseOr422(idParam('order_id'), request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'orders', order_id, 'Order');
    return selectOne(order_id);
  });

  app.patch('/orders/:order_id/status', doc('orders', 'Change an order\'s status (case-insensitive: filled → Filled)', { params: idParam('order_id'), body: statusPatchSchema }), async (request) => {
    const { order_id } = parseOr422(idParam('order_id'), request.params, 'path');
    const { sets, params } = buildSet(parseOr422(statusPatchSchema, request.body, 'body'), 2);
    await requireOwnedRow(db, identityOf(request), 'orders', order_id, 'Order');
    await db.query(`UPDATE orders SET ${sets.join(', ')} WHERE order_id = $1`, [order_id, ...params]);
    return selectOne(order_id);
  });
}

/** The order's exchange: from an exchange account the bot's owner holds, else from the catalog. */
async function resolveExchange(ctx: OrmContext, ownerUid: number, exId: number | undefined, catExId: number | undefined): Promise<{ cat_ex_id: number; name: string }> {
  if (exId !== undefined) {
    const { rows } = await ctx.db.query<{ uid: number; cat_ex_id: number; name: string }>(
      'SELECT e.uid, e.cat_ex_id, c.name FROM exchanges e JOIN cat_exchanges c ON c.cat_ex_id = e.cat_ex_id WHERE e.ex_id = $1',
      [exId],
    );
    const row = rows[0];
    if (!row || row.uid !== ownerUid) throw notFound('Exchange not found');
    if (catExId !== undefined && catExId !== row.cat_ex_id) throw unprocessable([{ loc: ['body', 'cat_ex_id'], msg: 'cat_ex_id does not match the exchange account', type: 'value_error' }]);
    return row;
  }
  if (catExId === undefined) throw unprocessable([{ loc: ['body', 'cat_ex_id'], msg: 'ex_id or cat_ex_id is required', type: 'missing' }]);
  const { rows } = await ctx.db.query<{ cat_ex_id: number; name: string }>('SELECT cat_ex_id, name FROM cat_exchanges WHERE cat_ex_id = $1', [catExId]);
  if (!rows[0]) throw notFound('Exchange not found in catalog');
  return rows[0];
}
