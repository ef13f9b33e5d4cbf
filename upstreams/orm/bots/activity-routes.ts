// A bot's activity (fullon's get_bot_stats, get_last_actions, get_last_bot_log,
// save_bot_log): statistics over a bounded time range computed in SQL, its latest
// log entries, and writing log entries. Someone else's bot → 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { bodySchema, parseOr422 } from '../../common/validate.ts';
import { tradeTotals } from '../analytics/trade-metrics.ts';
import { resolveTimeRange, timeRangeQuery } from '../analytics/time-range.ts';
import type { OrmContext } from '../context.ts';
import { requireOwnedRow } from '../db/ownership.ts';
import { idParam, idSchema, optionalText } from '../db/params.ts';
import { OPEN_STATUSES } from '../orders/schemas.ts';
import { selectBot } from './bot-store.ts';
import { doc } from '../http/route-docs.ts';
import { botLogSchema, botStatsSchema, lastLogSchema } from '../analytics/response-schemas.ts';

const LOG_COLUMNS = 'log_id, bot_id, ex_id, symbol, position, message, feed_num, timestamp';
const botParam = idParam('bot_id');
const actionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) });

const logEntrySchema = bodySchema({
  message: z.string().trim().min(1).max(4096),
  symbol: optionalText(64),
  position: optionalText(64),
  feed_num: z.number().int().min(0).max(1000).nullable().optional(),
  ex_id: idSchema.nullable().optional(),
});
const logBatchSchema = z.union([z.array(z.unknown()).min(1).max(500), z.object({ logs: z.array(z.unknown()).min(1).max(500) }).transform((b) => b.logs), z.object({}).passthrough().transform((b) => [b])]);

export function registerBotActivityRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  app.get('/bots/:bot_id/stats', doc('bots', "A bot's statistics over a time range (fullon's get_bot_stats)", { params: botParam, query: z.object(timeRangeQuery), response: { 200: botStatsSchema } }), async (request) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    const range = resolveTimeRange(parseOr422(z.object(timeRangeQuery), request.query, 'query'));
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const bot = await selectBot(db, bot_id);
    const [trades, other] = await Promise.all([
      tradeTotals(db, { uid: undefined, botId: bot_id, symbol: undefined, kind: undefined, range }),
      db.query(
        `SELECT (SELECT count(*)::int FROM orders o WHERE o.bot_id = $1 AND o.timestamp >= $2 AND o.timestamp < $3) AS total_orders,
                (SELECT count(*)::int FROM orders o WHERE o.bot_id = $1 AND o.timestamp >= $2 AND o.timestamp < $3 AND o.status = ANY($4::text[])) AS open_orders,
                (SELECT count(*)::int FROM strategies s WHERE s.bot_id = $1 AND s.removed_at IS NULL) AS strategies,
                (SELECT count(*)::int FROM bot_exchanges e WHERE e.bot_id = $1) AS exchanges,
                (SELECT count(*)::int FROM bot_log l WHERE l.bot_id = $1 AND l.timestamp >= $2 AND l.timestamp < $3) AS log_entries,
                (SELECT max(l.timestamp) FROM bot_log l WHERE l.bot_id = $1) AS last_log_at,
                extract(epoch FROM now() - (SELECT b.timestamp FROM bots b WHERE b.bot_id = $1))::float8 AS age_seconds`,
        [bot_id, range.start, range.end, [...OPEN_STATUSES]],
      ),
    ]);
    return { ...bot, created_at: bot.timestamp, ...other.rows[0], ...trades };
  });

  app.get('/bots/:bot_id/actions', doc('bots', "A bot's latest log entries, newest first (fullon's get_last_actions)", { params: botParam, query: actionsQuery, response: { 200: z.array(botLogSchema) } }), async (request) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    const { limit } = parseOr422(actionsQuery, request.query, 'query');
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const { rows } = await db.query(`SELECT ${LOG_COLUMNS} FROM bot_log WHERE bot_id = $1 ORDER BY timestamp DESC, log_id DESC LIMIT $2`, [bot_id, limit]);
    return rows;
  });

  // fullon's get_last_bot_log answers the time of the newest entry; the entry
  // itself rides along. Always an object: {bot_id, last_log_at: null, ...} when silent.
  app.get('/bots/:bot_id/last-log', doc('bots', "When a bot last logged, and the entry (fullon's get_last_bot_log)", { params: botParam, response: { 200: lastLogSchema } }), async (request) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const { rows } = await db.query<{ timestamp: string }>(`SELECT ${LOG_COLUMNS} FROM bot_log WHERE bot_id = $1 ORDER BY timestamp DESC, log_id DESC LIMIT 1`, [bot_id]);
    return { bot_id, last_log_at: rows[0]?.timestamp ?? null, last_log: rows[0] ?? null };
  });

  app.post('/bots/:bot_id/logs', doc('bots', "Write bot log entries: one, a list, or {logs: [...]} (fullon's save_bot_log)", { params: botParam, body: z.array(logEntrySchema), response: { 200: z.array(botLogSchema) } }), async (request) => {
    const { bot_id } = parseOr422(botParam, request.params, 'path');
    const owner = await requireOwnedRow(db, identityOf(request), 'bots', bot_id, 'Bot');
    const entries = parseOr422(logBatchSchema, request.body, 'body').map((item, index) => parseOr422(logEntrySchema, item, 'body', [index]));
    for (const exId of new Set(entries.map((e) => e.ex_id).filter((id): id is number => typeof id === 'number'))) {
      const { rows } = await db.query<{ uid: number }>('SELECT uid FROM exchanges WHERE ex_id = $1', [exId]);
      if (rows[0]?.uid !== owner.uid) throw notFound(`Exchange ${exId} not found`);
    }
    return db.transaction(async (tx) => {
      const created = [];
      for (const e of entries) {
        const { rows } = await tx.query(
          `INSERT INTO bot_log (bot_id, ex_id, symbol, position, message, feed_num) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${LOG_COLUMNS}`,
          [bot_id, e.ex_id ?? null, e.symbol ?? null, e.position ?? null, e.message, e.feed_num ?? null],
        );
        created.push(rows[0]);
      }
      return created;
    });
  });
}
