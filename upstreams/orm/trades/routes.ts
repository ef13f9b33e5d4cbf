// /trades: record dry and live trades for a bot the caller owns, list them, and
// correct or delete one. Someone else's bot or trade → 404. The analytics over
// trades live in analytics-routes.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Identity } from '../../common/assertion.ts';
import { notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422, refuseFields } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import type { Queryable } from '../../common/db.ts';
import { requireOwnedRow } from '../db/ownership.ts';
import { idParam } from '../db/params.ts';
import { buildSet } from '../db/sql-update.ts';
import { dryTradeSchema, liveTradeSchema, TRADE_IDENTITY_FIELDS, tradeKindSchema, tradePatchSchema } from './schemas.ts';
import { PATCHABLE_COLUMNS, requireOwnedTrade, selectTrade, TRADE_TABLES } from './trade-store.ts';
import { doc } from '../http/route-docs.ts';

type LiveTrade = z.output<typeof liveTradeSchema>;

/** POST /trades/bot takes fullon's save_trades list, {trades: [...]}, or one trade. */
const MAX_TRADES_PER_CALL = 1000;
const tradeBatchSchema = z.union([
  z.array(z.unknown()).min(1).max(MAX_TRADES_PER_CALL),
  z.object({ trades: z.array(z.unknown()).min(1).max(MAX_TRADES_PER_CALL) }).transform((body) => body.trades),
  z.object({ bot_id: z.unknown() }).transform((body) => [body]),
]);

const tradeParam = idParam('trade_id');
const kindQuery = z.object({ kind: tradeKindSchema.optional() });

export function registerTradeRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  app.post('/trades/dry', doc('trades', 'Record a dry (simulated) trade', { body: dryTradeSchema }), async (request) => {
    const body = parseOr422(dryTradeSchema, request.body, 'body');
    const uid = await requireBotAndExchange(ctx, identityOf(request), body.bot_id, body.ex_id);
    const { rows } = await db.query<{ trade_id: number }>(
      `INSERT INTO dry_trades (bot_id, uid, ex_id, symbol, order_type, side, volume, price, cost, fee, roi, roi_pct, reason, closingtrade)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING trade_id`,
      [body.bot_id, uid, body.ex_id ?? null, body.symbol, body.order_type, body.side, body.volume, body.price, body.volume * body.price,
        body.fee, body.roi ?? null, body.roi_pct ?? null, body.reason ?? null, body.closingtrade],
    );
    return selectTrade(db, 'dry', rows[0]!.trade_id);
  });

  app.post('/trades/live', doc('trades', 'Record a live trade', { body: liveTradeSchema }), async (request) => {
    const body = parseOr422(liveTradeSchema, request.body, 'body');
    const uid = await requireBotAndExchange(ctx, identityOf(request), body.bot_id, body.ex_id);
    return selectTrade(db, 'live', await insertLiveTrade(db, uid, body));
  });

  // fullon's save_trades: several live trades at once, all or none.
  app.post('/trades/bot', doc('trades', "Record several live trades at once, all or none (fullon's save_trades): a list, {trades: [...]}, or one trade", { body: z.array(liveTradeSchema) }), async (request) => {
    const identity = identityOf(request);
    const items = parseOr422(tradeBatchSchema, request.body, 'body');
    const trades = items.map((item, index) => parseOr422(liveTradeSchema, item, 'body', [index]));
    const owners = new Map<string, number>();
    for (const trade of trades) {
      const key = `${trade.bot_id}/${trade.ex_id ?? ''}`;
      if (!owners.has(key)) owners.set(key, await requireBotAndExchange(ctx, identity, trade.bot_id, trade.ex_id));
    }
    const ids = await db.transaction(async (tx) => {
      const created: number[] = [];
      for (const trade of trades) created.push(await insertLiveTrade(tx, owners.get(`${trade.bot_id}/${trade.ex_id ?? ''}`)!, trade));
      return created;
    });
    return Promise.all(ids.map((id) => selectTrade(db, 'live', id)));
  });

  app.get('/trades/:trade_id', doc('trades', 'One trade, dry or live', { params: tradeParam, query: kindQuery }), async (request) => {
    const { trade_id } = parseOr422(tradeParam, request.params, 'path');
    const { kind } = parseOr422(kindQuery, request.query, 'query');
    const trade = await requireOwnedTrade(db, identityOf(request), trade_id, kind);
    return selectTrade(db, trade.kind, trade.trade_id);
  });

  // A correction (roi after close, fee, price...). Moving a trade to another
  // owner, bot or id is refused by name; unknown fields are ignored as pydantic did.
  app.patch('/trades/:trade_id', doc('trades', 'Correct a trade; trade_id, uid, user_id, bot_id, ex_id and kind are refused (422)', { params: tradeParam, query: kindQuery, body: tradePatchSchema }), async (request) => {
    const { trade_id } = parseOr422(tradeParam, request.params, 'path');
    const { kind } = parseOr422(kindQuery, request.query, 'query');
    refuseFields(request.body, TRADE_IDENTITY_FIELDS);
    const patch = parseOr422(tradePatchSchema, request.body ?? {}, 'body');
    const trade = await requireOwnedTrade(db, identityOf(request), trade_id, kind);
    const allowed: readonly string[] = PATCHABLE_COLUMNS[trade.kind];
    const changes = Object.fromEntries(Object.entries(patch).filter(([column, value]) => value !== undefined && allowed.includes(column)));
    const { sets, params } = buildSet(changes, 2);
    if (sets.length > 0) {
      const table = TRADE_TABLES[trade.kind];
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE trade_id = $1`, [trade_id, ...params]);
        // cost follows volume × price; a second statement, since SET reads the old values.
        if ('volume' in changes || 'price' in changes) await tx.query(`UPDATE ${table} SET cost = volume * price WHERE trade_id = $1`, [trade_id]);
      });
    }
    return selectTrade(db, trade.kind, trade.trade_id);
  });

  app.delete('/trades/:trade_id', doc('trades', 'Delete a trade', { params: tradeParam, query: kindQuery, response: { 204: { description: 'Deleted' } } }), async (request, reply) => {
    const { trade_id } = parseOr422(tradeParam, request.params, 'path');
    const { kind } = parseOr422(kindQuery, request.query, 'query');
    const trade = await requireOwnedTrade(db, identityOf(request), trade_id, kind);
    await db.query(`DELETE FROM ${TRADE_TABLES[trade.kind]} WHERE trade_id = $1`, [trade.trade_id]);
    return reply.code(204).send();
  });
}

async function insertLiveTrade(db: Queryable, uid: number, body: LiveTrade): Promise<number> {
  const { rows } = await db.query<{ trade_id: number }>(
    `INSERT INTO trades (bot_id, uid, ex_id, ex_trade_id, ex_order_id, symbol, order_type, side, volume, price, cost, fee, roi, roi_pct, leverage)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING trade_id`,
    [body.bot_id, uid, body.ex_id ?? null, body.ex_trade_id ?? null, body.ex_order_id ?? null, body.symbol, body.order_type, body.side,
      body.volume, body.price, body.volume * body.price, body.fee, body.roi ?? null, body.roi_pct ?? null, body.leverage ?? null],
  );
  return rows[0]!.trade_id;
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
