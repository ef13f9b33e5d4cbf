// /orders history, per-symbol lists and statistics over a bounded time range,
// computed in SQL and scoped to the caller's orders (an admin: everyone's, or
// ?user_id='s); ?bot_id= must name an owned bot (else 404).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import { describeRange, resolveTimeRange, timeRangeQuery, type TimeRange } from '../analytics/time-range.ts';
import type { OrmContext } from '../context.ts';
import { requestedOwnerScope, requireOwnedRow } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idSchema } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { ORDER_COLUMNS } from './order-columns.ts';
import { OPEN_STATUSES, orderStatusSchema, sideSchema } from './schemas.ts';
import { doc, listDoc } from '../http/route-docs.ts';
import { orderStatsSchema } from '../analytics/response-schemas.ts';

const orderScopeQuery = z.object({
  user_id: idSchema.optional(),
  uid: idSchema.optional(),
  bot_id: idSchema.optional(),
  symbol: z.string().trim().min(1).max(64).optional(),
  status: orderStatusSchema.optional(),
  side: sideSchema.optional(),
  ...timeRangeQuery,
});

const symbolRequired = orderScopeQuery.extend({ symbol: z.string().trim().min(1).max(64) });

interface OrderScope { filter: SqlFilter; range: TimeRange; uid: number | undefined; botId: number | undefined }

export function registerOrderAnalyticsRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  const scopeOf = async (request: FastifyRequest, requireSymbol = false): Promise<OrderScope> => {
    const identity = identityOf(request);
    const q = parseOr422(requireSymbol ? symbolRequired : orderScopeQuery, request.query, 'query');
    const uid = requestedOwnerScope(identity, q.user_id ?? q.uid);
    if (q.bot_id !== undefined) await requireOwnedRow(db, identity, 'bots', q.bot_id, 'Bot');
    const range = resolveTimeRange(q);
    const filter = new SqlFilter()
      .add('o.timestamp >= ?', range.start)
      .add('o.timestamp < ?', range.end)
      .addIf('o.uid = ?', uid)
      .addIf('o.bot_id = ?', q.bot_id)
      .addIf('o.symbol = ?', q.symbol)
      .addIf('o.status = ?', q.status)
      .addIf('o.side = ?', q.side);
    return { filter, range, uid, botId: q.bot_id };
  };
  const list = async (request: FastifyRequest, reply: FastifyReply, scope: OrderScope) => {
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    return sendPage(request, reply, await listPage(db, { select: `SELECT ${ORDER_COLUMNS} FROM orders o`, from: 'orders o', filter: scope.filter, orderBy: 'o.timestamp DESC, o.order_id DESC', page }));
  };

  app.get('/orders/history', listDoc('orders', 'Orders in a time range, newest first', { query: orderScopeQuery }), async (request, reply) => list(request, reply, await scopeOf(request)));

  app.get('/orders/by-symbol', listDoc('orders', "A symbol's orders in a time range", { query: symbolRequired }), async (request, reply) =>
    list(request, reply, await scopeOf(request, true)));

  app.get('/orders/stats', doc('orders', 'Order statistics over a time range', { query: orderScopeQuery, response: { 200: orderStatsSchema } }), async (request) => {
    const scope = await scopeOf(request);
    const { where, params } = scope.filter.build();
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT count(*)::int AS total_orders,
              count(*) FILTER (WHERE o.status = ANY($${params.length + 1}::text[]))::int AS open_orders,
              count(*) FILTER (WHERE o.status = 'Filled')::int AS filled_orders,
              count(*) FILTER (WHERE o.status IN ('Cancelled', 'Canceled'))::int AS cancelled_orders,
              count(*) FILTER (WHERE o.status IN ('Rejected', 'Error', 'Expired'))::int AS failed_orders,
              count(*) FILTER (WHERE o.side = 'buy')::int AS buy_orders,
              count(*) FILTER (WHERE o.side = 'sell')::int AS sell_orders,
              coalesce(sum(o.volume), 0)::float8 AS total_volume,
              coalesce(sum(coalesce(o.final_volume, o.volume)) FILTER (WHERE o.status = 'Filled'), 0)::float8 AS filled_volume,
              ((count(*) FILTER (WHERE o.status = 'Filled'))::float8 / nullif(count(*), 0)) AS fill_rate,
              count(DISTINCT o.symbol)::int AS symbols,
              min(o.timestamp) AS first_order_at,
              max(o.timestamp) AS last_order_at,
              coalesce((SELECT jsonb_object_agg(status, n) FROM (
                SELECT o.status, count(*)::int AS n FROM orders o ${where} GROUP BY o.status) s), '{}'::jsonb) AS by_status
       FROM orders o ${where}`,
      [...params, [...OPEN_STATUSES]],
    );
    return { user_id: scope.uid ?? null, bot_id: scope.botId ?? null, ...rows[0], ...describeRange(scope.range) };
  });
}
