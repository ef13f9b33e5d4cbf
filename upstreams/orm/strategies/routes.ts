// /strategies: the strategy catalog (cat_strategies, read-only) and the
// strategies attached to a user's bots, with params and feeds. Ownership follows
// the bot: someone else's strategy or bot → 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { listScopeUid, requestedOwnerScope, requireOwnedRow, requireOwnedStrategy } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idParam, idSchema } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { buildSet } from '../db/sql-update.ts';
import { createStrategySchema, replaceStrategySchema } from './schemas.ts';
import { STRATEGY_SELECT } from './strategy-columns.ts';
import { replaceFeeds, replaceParams } from './strategy-store.ts';
import { doc, listDoc } from '../http/route-docs.ts';

const CATALOG_SELECT = `SELECT c.cat_str_id, c.name, c.take_profit, c.stop_loss, c.trailing_stop, c.timeout, c.pre_load_bars, c.feeds, c.pairs,
  coalesce((SELECT jsonb_object_agg(p.name, p.value) FROM cat_strategies_params p WHERE p.cat_str_id = c.cat_str_id), '{}'::jsonb) AS params
  FROM cat_strategies c`;

const strParam = idParam('str_id');
const userStrategiesQuery = z.object({ user_id: idSchema.optional(), uid: idSchema.optional() });
const listQuerySchema = z.object({ bot_id: idSchema.optional(), uid: idSchema.optional() });

export function registerStrategyRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  const selectOne = async (strId: number) => {
    const { rows } = await db.query(`${STRATEGY_SELECT} WHERE s.str_id = $1`, [strId]);
    if (!rows[0]) throw notFound('Strategy not found');
    return rows[0];
  };

  app.get('/strategies/catalog', listDoc('strategies', 'Strategy templates'), async (request, reply) => {
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    return sendPage(request, reply, await listPage(db, { select: CATALOG_SELECT, from: 'cat_strategies c', filter: new SqlFilter(), orderBy: 'c.cat_str_id', page }));
  });

  app.get('/strategies/catalog/:cat_str_id', doc('strategies', 'A strategy template', { params: idParam('cat_str_id') }), async (request) => {
    const { cat_str_id } = parseOr422(idParam('cat_str_id'), request.params, 'path');
    const { rows } = await db.query(`${CATALOG_SELECT} WHERE c.cat_str_id = $1`, [cat_str_id]);
    if (!rows[0]) throw notFound('Strategy not found in catalog');
    return rows[0];
  });

  // An object, as fullon clients read it: {cat_str_id, name, params: {name: value}}.
  app.get('/strategies/catalog/:cat_str_id/params', doc('strategies', "A template's parameters: {cat_str_id, name, params: {name: value}}", { params: idParam('cat_str_id') }), async (request) => {
    const { cat_str_id } = parseOr422(idParam('cat_str_id'), request.params, 'path');
    const { rows } = await db.query(`SELECT cat_str_id, name, params FROM (${CATALOG_SELECT}) c WHERE c.cat_str_id = $1`, [cat_str_id]);
    if (!rows[0]) throw notFound('Strategy not found in catalog');
    return rows[0];
  });

  // fullon's get_user_strategies: the caller's strategies across their bots, with bot and catalog names.
  app.get('/strategies/user-strategies', listDoc('strategies', "The caller's strategies across their bots (fullon's get_user_strategies)", { query: userStrategiesQuery }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(userStrategiesQuery, request.query, 'query');
    const filter = new SqlFilter().addConstant('s.removed_at IS NULL').addIf('b.uid = ?', requestedOwnerScope(identity, query.user_id ?? query.uid));
    const select = STRATEGY_SELECT.replace('SELECT s.str_id,', 'SELECT b.uid, b.name AS bot_name, s.str_id,').replace('FROM strategies s JOIN', 'FROM strategies s JOIN bots b ON b.bot_id = s.bot_id JOIN');
    return sendPage(request, reply, await listPage(db, { select, from: 'strategies s JOIN bots b ON b.bot_id = s.bot_id', filter, orderBy: 's.str_id', page }));
  });

  app.get('/strategies/bot-strategies', listDoc('strategies', 'Bot strategies', { query: listQuerySchema }), async (request, reply) => {
    const identity = identityOf(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listQuerySchema, request.query, 'query');
    if (query.bot_id !== undefined) await requireOwnedRow(db, identity, 'bots', query.bot_id, 'Bot');
    const filter = new SqlFilter()
      .addConstant('s.removed_at IS NULL')
      .addIf('b.uid = ?', listScopeUid(identity, query.uid))
      .addIf('s.bot_id = ?', query.bot_id);
    const select = STRATEGY_SELECT.replace('FROM strategies s JOIN', 'FROM strategies s JOIN bots b ON b.bot_id = s.bot_id JOIN');
    return sendPage(request, reply, await listPage(db, { select, from: 'strategies s JOIN bots b ON b.bot_id = s.bot_id', filter, orderBy: 's.str_id', page }));
  });

  app.post('/strategies/bot-strategies', doc('strategies', 'Attach a strategy to a bot (settings not given come from the template)', { body: createStrategySchema }), async (request, reply) => {
    const identity = identityOf(request);
    const { bot_id, cat_str_id, params, feed_list, ...settings } = parseOr422(createStrategySchema, request.body, 'body');
    await requireOwnedRow(db, identity, 'bots', bot_id, 'Bot');
    const strId = await db.transaction(async (tx) => {
      const { rows: [template] } = await tx.query<Record<string, unknown>>(
        'SELECT take_profit, stop_loss, trailing_stop, timeout, pre_load_bars, feeds, pairs FROM cat_strategies WHERE cat_str_id = $1',
        [cat_str_id],
      );
      if (!template) throw notFound('Strategy not found in catalog');
      // Settings not given come from the catalog template, as fullon does.
      const values = { ...template, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) };
      const columns = Object.keys(values);
      const { rows } = await tx.query<{ str_id: number }>(
        `INSERT INTO strategies (bot_id, cat_str_id, ${columns.join(', ')}) VALUES ($1, $2, ${columns.map((_, i) => `$${i + 3}`).join(', ')}) RETURNING str_id`,
        [bot_id, cat_str_id, ...columns.map((c) => values[c])],
      );
      const id = rows[0]!.str_id;
      if (params) await replaceParams(tx, id, params);
      if (feed_list) await replaceFeeds(tx, id, feed_list);
      return id;
    });
    return await selectOne(strId);
  });

  app.get('/strategies/bot-strategies/:str_id', doc('strategies', 'A bot strategy (a removed one too, with removed_at)', { params: strParam }), async (request) => {
    const { str_id } = parseOr422(strParam, request.params, 'path');
    await requireOwnedStrategy(db, identityOf(request), str_id);
    return selectOne(str_id);
  });

  app.put('/strategies/bot-strategies/:str_id', doc('strategies', 'Change a bot strategy; params / feed_list given replace the whole set', { params: strParam, body: replaceStrategySchema }), async (request) => {
    const { str_id } = parseOr422(strParam, request.params, 'path');
    const { params, feed_list, ...settings } = parseOr422(replaceStrategySchema, request.body ?? {}, 'body');
    await requireOwnedStrategy(db, identityOf(request), str_id, { removed: false });
    await db.transaction(async (tx) => {
      const { sets, params: values } = buildSet(settings, 2);
      if (sets.length > 0) await tx.query(`UPDATE strategies SET ${sets.join(', ')} WHERE str_id = $1`, [str_id, ...values]);
      if (params) await replaceParams(tx, str_id, params);
      if (feed_list) await replaceFeeds(tx, str_id, feed_list);
    });
    return selectOne(str_id);
  });

  app.delete('/strategies/bot-strategies/:str_id', doc('strategies', 'Remove a strategy from its bot (the record stays readable)', { params: strParam, response: { 204: { description: 'Removed' } } }), async (request, reply) => {
    const { str_id } = parseOr422(strParam, request.params, 'path');
    await requireOwnedStrategy(db, identityOf(request), str_id, { removed: false });
    // Kept, not deleted: see migrations/006-strategy-removal.ts.
    await db.query('UPDATE strategies SET removed_at = now(), active = false WHERE str_id = $1', [str_id]);
    return reply.code(204).send();
  });

}
