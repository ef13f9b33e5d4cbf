// /trades: record dry and live trades for a bot the caller owns, list them per
// bot and summarise them (stats computed in SQL). Someone else's bot → 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../common/errors.ts';
import type { Identity } from '../../common/assertion.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { listScopeUid, requireOwnedRow } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idSchema } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { dryTradeSchema, liveTradeSchema, tradeKindSchema } from './schemas.ts';
import { ALL_TRADES } from './trade-columns.ts';

const byBotQuerySchema = z.object({ bot_id: idSchema, kind: tradeKindSchema.optional(), symbol: z.string().max(64).optional() });
const statsQuerySchema = z.object({ bot_id: idSchema.optional(), uid: idSchema.optional(), kind: tradeKindSchema.optional() });

export function registerTradeRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  const selectOne = async (kind: 'dry' | 'live', tradeId: number) => {
    const { rows } = await db.query(`SELECT * FROM ${ALL_TRADES} WHERE t.kind = $1 AND t.trade_id = $2`, [kind, tradeId]);
    if (!rows[0]) throw notFound('Trade not found');
    return rows[0];
  };

  app.post('/trades/dry', async (request, reply) => {
    const body = parseOr422(dryTradeSchema, request.body, 'body');
    const uid = await requireBotAndExchange(ctx, identityOf(request), body.bot_id, body.ex_id);
    const { rows } = await db.query<{ trade_id: number }>(
      `INSERT INTO dry_trades (bot_id, uid, ex_id, symbol, order_type, side, volume, price, cost, fee, roi, roi_pct, reason, closingtrade)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING trade_id`,
      [body.bot_id, uid, body.ex_id ?? null, body.symbol, body.order_type, body.side, body.volume, body.price, body.volume * body.price,
        body.fee, body.roi ?? null, body.roi_pct ?? null, body.reason ?? null, body.closingtrade],
    );
    return await selectOne('dry', rows[0]!.trade_id);
  });

  app.post('/trades/live', async (request, reply) => {
    const body = parseOr422(liveTradeSchema, request.body, 'body');
    const uid = await requireBotAndExchange(ctx, identityOf(request), body.bot_id, body.ex_id);
    const { rows } = await db.query<{ trade_id: number }>(
      `INSERT INTO trades (bot_id, uid, ex_id, ex_trade_id, ex_order_id, symbol, order_type, side, volume, price, cost, fee, roi, roi_pct, leverage)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING trade_id`,
      [body.bot_id, uid, body.ex_id ?? null, body.ex_trade_id ?? null, body.ex_order_id ?? null, body.symbol, body.order_type, body.side,
        body.volume, body.price, body.volume * body.price, body.fee, body.roi ?? null, body.roi_pct ?? null, body.leverage ?? null],
    );
    return await selectOne('live', rows[0]!.trade_id);
  });

  for (const path of ['/trades/by-bot', '/trades/bot']) {
    app.get(path, async (request, reply) => {
      const page = parseOr422(pageQuerySchema, request.query, 'query');
      const query = parseOr422(byBotQuerySchema, request.query, 'query');
      await requireOwnedRow(db, identityOf(request), 'bots', query.bot_id, 'Bot');
      const filter = new SqlFilter().add('t.bot_id = ?', query.bot_id).addIf('t.kind = ?', query.kind).addIf('t.symbol = ?', query.symbol);
      return sendPage(request, reply, await listPage(db, { select: `SELECT * FROM ${ALL_TRADES}`, from: ALL_TRADES, filter, orderBy: 't.time DESC, t.kind, t.trade_id DESC', page }));
    });
  }

  app.get('/trades/stats', async (request) => {
    const identity = identityOf(request);
    const query = parseOr422(statsQuerySchema, request.query, 'query');
    if (query.bot_id !== undefined) await requireOwnedRow(db, identity, 'bots', query.bot_id, 'Bot');
    const { where, params } = new SqlFilter()
      .addIf('t.uid = ?', listScopeUid(identity, query.uid))
      .addIf('t.bot_id = ?', query.bot_id)
      .addIf('t.kind = ?', query.kind)
      .build();
    const { rows } = await db.query(
      `SELECT count(*)::int AS total_trades,
              count(*) FILTER (WHERE t.kind = 'dry')::int AS dry_trades,
              count(*) FILTER (WHERE t.kind = 'live')::int AS live_trades,
              count(*) FILTER (WHERE t.side = 'buy')::int AS buy_trades,
              count(*) FILTER (WHERE t.side = 'sell')::int AS sell_trades,
              count(*) FILTER (WHERE t.roi > 0)::int AS winning_trades,
              count(*) FILTER (WHERE t.roi < 0)::int AS losing_trades,
              coalesce(sum(t.volume), 0)::float8 AS total_volume,
              coalesce(sum(t.cost), 0)::float8 AS total_cost,
              coalesce(sum(t.fee), 0)::float8 AS total_fee,
              coalesce(sum(t.roi), 0)::float8 AS total_roi,
              avg(t.roi_pct)::float8 AS avg_roi_pct,
              min(t.time) AS first_trade_at,
              max(t.time) AS last_trade_at
       FROM ${ALL_TRADES} ${where}`,
      params,
    );
    return { bot_id: query.bot_id ?? null, ...rows[0] };
  });
}

/** The bot's owner uid, after checking the caller owns the bot and, if given, that the owner holds the exchange. */
async function requireBotAndExchange(ctx: OrmContext, identity: Identity, botId: number, exId: number | undefined): Promise<number> {
  const bot = await requireOwnedRow(ctx.db, identity, 'bots', botId, 'Bot');
  if (exId !== undefined) {
    const { rows } = await ctx.db.query<{ uid: number }>('SELECT uid FROM exchanges WHERE ex_id = $1', [exId]);
    if (!rows[0] || rows[0].uid !== bot.uid) throw notFound('Exchange not found');
  }
  return bot.uid;
}
