// /bots: a user's trading bots, their exchange links and strategies. A regular
// user sees and changes only their own bots (someone else's → 404).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { identityOf } from '../../common/server.ts';
import { bodySchema, parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { requestedOwnerScope, requireOwnedRow, resolveTargetUid } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage, wholeList } from '../db/pagination.ts';
import { idParam, idSchema, queryBool, text } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { buildSet } from '../db/sql-update.ts';
import { BOT_COLUMNS, linkBotExchanges, selectBot, selectBotExchanges, selectBotStrategies } from './bot-store.ts';
import { doc, listDoc } from '../http/route-docs.ts';

const createSchema = bodySchema({
  name: text(100),
  active: z.boolean().default(false),
  dry_run: z.boolean().default(true),
  uid: idSchema.optional(),
  ex_ids: z.array(idSchema).max(50).default([]),
});

const patchSchema = bodySchema({ name: text(100).optional(), active: z.boolean().optional(), dry_run: z.boolean().optional() });

const listQuerySchema = z.object({
  uid: idSchema.optional(),
  /** fullon's name for the owner filter (bots/by-user?user_id=). */
  user_id: idSchema.optional(),
  name: z.string().max(100).optional(),
  active: queryBool.optional(),
  dry_run: queryBool.optional(),
});

const botParam = idParam('bot_id');
const botExchangeParams = z.object({ bot_id: idSchema, ex_id: idSchema });

export function registerBotRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  const detail = async (botId: number) => ({
    ...(await selectBot(db, botId)),
    exchanges: await selectBotExchanges(db, botId),
    strategies: await selectBotStrategies(db, botId),
  });
  const list = async (request: FastifyRequest, reply: FastifyReply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listQuerySchema, request.query, 'query');
    const filter = new SqlFilter()
      .addIf('uid = ?', requestedOwnerScope(identity, query.user_id ?? query.uid))
      .addIf('name = ?', query.name)
      .addIf('active = ?', query.active)
      .addIf('dry_run = ?', query.dry_run);
    return sendPage(request, reply, await listPage(db, { select: `SELECT ${BOT_COLUMNS} FROM bots`, from: 'bots', filter, orderBy: 'bot_id', page }));
  };

  app.get('/bots', listDoc('bots', "The caller's bots (an admin: every bot, or ?uid=/?user_id='s)", { query: listQuerySchema }), list);
  app.get('/bots/by-user', listDoc('bots', "A user's bots (fullon's get_user_bots): ?user_id= must be the caller's own unless admin, else 404", { query: listQuerySchema }), list);

  app.post('/bots', doc('bots', 'Create a bot (an admin may name uid)', { body: createSchema }), async (request, reply) => {
    const identity = identityOf(request);
    const body = parseOr422(createSchema, request.body, 'body');
    const uid = resolveTargetUid(identity, body.uid);
    const botId = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ bot_id: number }>('INSERT INTO bots (uid, name, active, dry_run) VALUES ($1, $2, $3, $4) RETURNING bot_id', [uid, body.name, body.active, body.dry_run]);
      await linkBotExchanges(tx, rows[0]!.bot_id, uid, body.ex_ids);
      return rows[0]!.bot_id;
    });
    return await detail(botId);
  });

  for (const path of ['/bots/:bot_id', '/bots/:bot_id/details']) {
    app.get(path, doc('bots', 'A bot with its exchanges and strategies', { params: botParam }), async (request) => {
      const { bot_id } = parseOr422(botParam, request.params, 'path');
      await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
      return detail(bot_id);
    });
  }

  app.patch('/bots/:bot_id', doc('bots', 'Change a bot', { params: botParam, body: patchSchema }), async (request) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    const { sets, params } = buildSet(parseOr422(patchSchema, request.body ?? {}, 'body'), 2);
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    if (sets.length > 0) await db.query(`UPDATE bots SET ${sets.join(', ')} WHERE bot_id = $1`, [bot_id, ...params]);
    return selectBot(db, bot_id);
  });

  app.delete('/bots/:bot_id', doc('bots', 'Delete a bot (its links, feeds and trades go with it)', { params: botParam, response: { 204: { description: 'Deleted' } } }), async (request, reply) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    await db.query('DELETE FROM bots WHERE bot_id = $1', [bot_id]);
    return reply.code(204).send();
  });

  app.get('/bots/:bot_id/strategies', listDoc('bots', "A bot's strategies", { params: botParam }), async (request, reply) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const items = await selectBotStrategies(db, bot_id);
    return sendPage(request, reply, wholeList(items));
  });

  app.get('/bots/:bot_id/feeds', listDoc('bots', "A bot's data feeds, with symbol and exchange", { params: botParam }), async (request, reply) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const { rows } = await db.query(
      `SELECT f.feed_id, f.str_id, f.symbol_id, sy.symbol, sy.cat_ex_id, f.period, f.compression, f."order"
       FROM feeds f JOIN strategies s ON s.str_id = f.str_id JOIN symbols sy ON sy.symbol_id = f.symbol_id
       WHERE s.bot_id = $1 AND s.removed_at IS NULL ORDER BY f.str_id, f."order"`,
      [bot_id],
    );
    return sendPage(request, reply, wholeList(rows));
  });

  app.get('/bots/:bot_id/exchanges', listDoc('bots', "A bot's exchange accounts", { params: botParam }), async (request, reply) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const items = await selectBotExchanges(db, bot_id);
    return sendPage(request, reply, wholeList(items));
  });

  app.post('/bots/:bot_id/exchanges', doc('bots', 'Link one of the owner\'s exchange accounts to a bot', { params: botParam, body: z.object({ ex_id: idSchema }) }), async (request, reply) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    const owner = await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const { ex_id } = parseOr422(bodySchema({ ex_id: idSchema }), request.body, 'body');
    await linkBotExchanges(db, bot_id, owner.uid, [ex_id]);
    return { bot_id, ex_id };
  });

  app.delete('/bots/:bot_id/exchanges/:ex_id', doc('bots', 'Unlink an exchange account from a bot', { params: botExchangeParams, response: { 204: { description: 'Unlinked' } } }), async (request, reply) => {
    const { bot_id, ex_id } = parseOr422(botExchangeParams, request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const { rowCount } = await db.query('DELETE FROM bot_exchanges WHERE bot_id = $1 AND ex_id = $2', [bot_id, ex_id]);
    if (rowCount === 0) return reply.code(404).send({ detail: 'Exchange not linked to this bot' });
    return reply.code(204).send();
  });
}
