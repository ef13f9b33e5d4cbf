// Loads the demo catalog idempotently: every row is found-or-created, so running
// it twice changes nothing. The bots belong to the given owner (the admin).
import type { Db, Queryable } from '../../common/db.ts';
import { replaceFeeds, replaceParams } from '../strategies/strategy-store.ts';
import { DEMO_ACCOUNT_NAME, DEMO_BOTS, DEMO_EXCHANGES, DEMO_SYMBOLS, type DemoBot } from './demo-data.ts';

export interface DemoSummary { exchanges: number; symbols: number; accounts: number; botsCreated: number; botsExisting: number }

export async function loadDemo(db: Db, ownerUid: number): Promise<DemoSummary> {
  const summary: DemoSummary = { exchanges: 0, symbols: 0, accounts: 0, botsCreated: 0, botsExisting: 0 };
  for (const name of DEMO_EXCHANGES) {
    await db.query('INSERT INTO cat_exchanges (name, ohlcv_view) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, '']);
    summary.exchanges++;
  }
  for (const s of DEMO_SYMBOLS) {
    await db.query(
      `INSERT INTO symbols (symbol, cat_ex_id, decimals, base, quote, ex_base, futures)
       SELECT $1, cat_ex_id, $3, $4, $5, $6, $7 FROM cat_exchanges WHERE name = $2
       ON CONFLICT (symbol, cat_ex_id) DO NOTHING`,
      [s.symbol, s.exchange, s.decimals, s.base, s.quote, s.ex_base, s.futures],
    );
    summary.symbols++;
  }
  for (const name of DEMO_EXCHANGES) {
    await db.query(
      `INSERT INTO exchanges (uid, cat_ex_id, name, test) SELECT $1, cat_ex_id, $3, true FROM cat_exchanges WHERE name = $2
       ON CONFLICT (uid, cat_ex_id, name) DO NOTHING`,
      [ownerUid, name, DEMO_ACCOUNT_NAME],
    );
    summary.accounts++;
  }
  for (const bot of DEMO_BOTS) {
    const created = await db.transaction((tx) => createBotUnlessPresent(tx, ownerUid, bot));
    if (created) summary.botsCreated++;
    else summary.botsExisting++;
  }
  return summary;
}

async function createBotUnlessPresent(tx: Queryable, uid: number, bot: DemoBot): Promise<boolean> {
  const existing = await tx.query('SELECT bot_id FROM bots WHERE uid = $1 AND name = $2', [uid, bot.name]);
  if (existing.rowCount > 0) return false;
  const { rows: [created] } = await tx.query<{ bot_id: number }>(
    'INSERT INTO bots (uid, name, dry_run, active) VALUES ($1, $2, $3, $4) RETURNING bot_id', [uid, bot.name, bot.dryRun, bot.active],
  );
  const botId = created!.bot_id;
  await tx.query(
    `INSERT INTO bot_exchanges (bot_id, ex_id) SELECT $1, e.ex_id FROM exchanges e JOIN cat_exchanges c ON c.cat_ex_id = e.cat_ex_id
     WHERE e.uid = $2 AND e.name = $3 AND c.name = $4`,
    [botId, uid, DEMO_ACCOUNT_NAME, bot.exchange],
  );
  const { rows: [template] } = await tx.query<{ cat_str_id: number; pre_load_bars: number; feeds: number }>(
    'SELECT cat_str_id, pre_load_bars, feeds FROM cat_strategies WHERE name = $1', [bot.strategy],
  );
  if (!template) throw new Error(`strategy ${bot.strategy} missing from cat_strategies (run the migrations first)`);
  const { rows: [strategy] } = await tx.query<{ str_id: number }>(
    `INSERT INTO strategies (bot_id, cat_str_id, take_profit, stop_loss, size_pct, leverage, pre_load_bars, feeds)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING str_id`,
    [botId, template.cat_str_id, bot.settings.take_profit ?? null, bot.settings.stop_loss ?? null, bot.settings.size_pct ?? null,
      bot.settings.leverage ?? 1, template.pre_load_bars, bot.feeds.length],
  );
  await replaceParams(tx, strategy!.str_id, bot.params);
  const feeds = [];
  for (const feed of bot.feeds) {
    const { rows: [symbol] } = await tx.query<{ symbol_id: number }>(
      'SELECT s.symbol_id FROM symbols s JOIN cat_exchanges c ON c.cat_ex_id = s.cat_ex_id WHERE s.symbol = $1 AND c.name = $2',
      [feed.symbol, bot.exchange],
    );
    feeds.push({ symbol_id: symbol!.symbol_id, period: feed.period, compression: feed.compression });
  }
  await replaceFeeds(tx, strategy!.str_id, feeds);
  return true;
}
