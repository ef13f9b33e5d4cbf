// SQL for bots shared by the bot routes and the demo seed: the bot row, its
// detail view (exchanges, strategies with params and feeds) and exchange links.
import type { Queryable } from '../../common/db.ts';
import { notFound } from '../../common/errors.ts';
import { STRATEGY_SELECT } from '../strategies/strategy-columns.ts';
import { USER_EXCHANGE_SELECT } from '../exchanges/exchange-columns.ts';

export const BOT_COLUMNS = 'bot_id, uid, name, dry_run, active, timestamp';

export async function selectBot(db: Queryable, botId: number): Promise<Record<string, unknown>> {
  const { rows } = await db.query(`SELECT ${BOT_COLUMNS} FROM bots WHERE bot_id = $1`, [botId]);
  if (!rows[0]) throw notFound('Bot not found');
  return rows[0];
}

export async function selectBotExchanges(db: Queryable, botId: number): Promise<unknown[]> {
  const { rows } = await db.query(
    `${USER_EXCHANGE_SELECT} JOIN bot_exchanges be ON be.ex_id = e.ex_id WHERE be.bot_id = $1 ORDER BY e.ex_id`,
    [botId],
  );
  return rows;
}

export async function selectBotStrategies(db: Queryable, botId: number): Promise<unknown[]> {
  const { rows } = await db.query(`${STRATEGY_SELECT} WHERE s.bot_id = $1 AND s.removed_at IS NULL ORDER BY s.str_id`, [botId]);
  return rows;
}

/** Links exchange accounts to a bot; each must belong to the bot's owner (else 404, no leak). */
export async function linkBotExchanges(db: Queryable, botId: number, ownerUid: number, exIds: readonly number[]): Promise<void> {
  for (const exId of exIds) {
    const { rows } = await db.query<{ uid: number }>('SELECT uid FROM exchanges WHERE ex_id = $1', [exId]);
    if (!rows[0] || rows[0].uid !== ownerUid) throw notFound(`Exchange ${exId} not found`);
    await db.query('INSERT INTO bot_exchanges (bot_id, ex_id) VALUES ($1, $2)', [botId, exId]);
  }
}
