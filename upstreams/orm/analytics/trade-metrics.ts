// Trade analytics computed in SQL over the ALL_TRADES projection, never by
// loading rows into Node. Definitions (fullon's columns): a trade's realised PnL
// is its `roi` (set on the trade that closes a position); a win is roi > 0, a
// loss roi < 0; win_rate = wins / (wins + losses); net_pnl = realised PnL − fees;
// volume is in base units, cost (volume × price) in quote units.
import type { Queryable } from '../../common/db.ts';
import { ALL_TRADES } from '../trades/trade-columns.ts';
import { describeRange } from './time-range.ts';
import { tradeScopeFilter, type TradeScope } from './trade-scope.ts';

/** Aggregates shared by stats, summaries and per-bot / per-symbol groups. */
export const TRADE_METRICS = `count(*)::int AS total_trades,
  count(*) FILTER (WHERE t.kind = 'dry')::int AS dry_trades,
  count(*) FILTER (WHERE t.kind = 'live')::int AS live_trades,
  count(*) FILTER (WHERE t.side = 'buy')::int AS buy_trades,
  count(*) FILTER (WHERE t.side = 'sell')::int AS sell_trades,
  count(*) FILTER (WHERE t.roi > 0)::int AS winning_trades,
  count(*) FILTER (WHERE t.roi < 0)::int AS losing_trades,
  (count(*) FILTER (WHERE t.roi > 0))::float8 / nullif(count(*) FILTER (WHERE t.roi <> 0), 0) AS win_rate,
  coalesce(sum(t.volume), 0)::float8 AS total_volume,
  coalesce(sum(t.cost), 0)::float8 AS total_cost,
  coalesce(sum(t.fee), 0)::float8 AS total_fee,
  coalesce(sum(t.roi), 0)::float8 AS realized_pnl,
  (coalesce(sum(t.roi), 0) - coalesce(sum(t.fee), 0))::float8 AS net_pnl,
  avg(t.roi_pct)::float8 AS avg_roi_pct,
  min(t.time) AS first_trade_at,
  max(t.time) AS last_trade_at`;

/** What wins and losses look like, on top of TRADE_METRICS. */
const PERFORMANCE_METRICS = `coalesce(sum(t.roi) FILTER (WHERE t.roi > 0), 0)::float8 AS gross_profit,
  coalesce(-sum(t.roi) FILTER (WHERE t.roi < 0), 0)::float8 AS gross_loss,
  (sum(t.roi) FILTER (WHERE t.roi > 0) / nullif(-sum(t.roi) FILTER (WHERE t.roi < 0), 0))::float8 AS profit_factor,
  avg(t.roi) FILTER (WHERE t.roi > 0)::float8 AS avg_win,
  avg(t.roi) FILTER (WHERE t.roi < 0)::float8 AS avg_loss,
  max(t.roi) FILTER (WHERE t.roi > 0)::float8 AS largest_win,
  min(t.roi) FILTER (WHERE t.roi < 0)::float8 AS largest_loss,
  (sum(t.roi) / nullif(count(t.roi), 0))::float8 AS expectancy,
  (sum(t.cost) / nullif(sum(t.volume), 0))::float8 AS avg_price`;

export async function tradeTotals(db: Queryable, scope: TradeScope): Promise<Record<string, unknown>> {
  const { where, params } = tradeScopeFilter(scope).build();
  const { rows } = await db.query(`SELECT ${TRADE_METRICS}, count(DISTINCT t.symbol)::int AS symbols, count(DISTINCT t.bot_id)::int AS bots FROM ${ALL_TRADES} ${where}`, params);
  return { ...rows[0], ...describeRange(scope.range) };
}

/** One entry per bot or per symbol, keyed by it (fullon clients read dict keys). */
export async function tradesGroupedBy(db: Queryable, scope: TradeScope, by: 'bot_id' | 'symbol' | 'kind', performance = false): Promise<Record<string, Record<string, unknown>>> {
  const { where, params } = tradeScopeFilter(scope).build();
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT t.${by} AS key, ${TRADE_METRICS}${performance ? `, ${PERFORMANCE_METRICS}` : ''}
     FROM ${ALL_TRADES} ${where} GROUP BY t.${by} ORDER BY t.${by} LIMIT 10000`,
    params,
  );
  return Object.fromEntries(rows.map(({ key, ...metrics }) => [String(key), { [by]: key, ...metrics }]));
}

/**
 * Performance over the range: totals, win/loss shape, the equity curve's maximum
 * drawdown (cumulative realised PnL in trade order, peak starting at 0), and a
 * Sharpe-like ratio of daily realised PnL (mean / sample stddev × √365; null with
 * fewer than two trading days or no variation).
 */
export async function tradePerformance(db: Queryable, scope: TradeScope): Promise<Record<string, unknown>> {
  const { where, params } = tradeScopeFilter(scope).build();
  const [totals, curve, daily] = await Promise.all([
    db.query(`SELECT ${TRADE_METRICS}, ${PERFORMANCE_METRICS} FROM ${ALL_TRADES} ${where}`, params),
    db.query<{ max_drawdown: number }>(
      `WITH curve AS (
         SELECT row_number() OVER w AS n, sum(t.roi) OVER w AS equity FROM ${ALL_TRADES} ${where} AND t.roi IS NOT NULL
         WINDOW w AS (ORDER BY t.time, t.trade_id, t.kind ROWS UNBOUNDED PRECEDING)
       ), peaks AS (
         SELECT equity, greatest(0, max(equity) OVER (ORDER BY n ROWS UNBOUNDED PRECEDING)) AS peak FROM curve
       )
       SELECT coalesce(max(peak - equity), 0)::float8 AS max_drawdown FROM peaks`,
      params,
    ),
    dailyPnlStats(db, where, params),
  ]);
  return { ...totals.rows[0], max_drawdown: curve.rows[0]?.max_drawdown ?? 0, ...daily, ...describeRange(scope.range) };
}

async function dailyPnlStats(db: Queryable, where: string, params: unknown[]): Promise<Record<string, unknown>> {
  const { rows } = await db.query(
    `WITH days AS (
       SELECT date_trunc('day', t.time AT TIME ZONE 'UTC') AS day, sum(t.roi) AS pnl
       FROM ${ALL_TRADES} ${where} AND t.roi IS NOT NULL GROUP BY 1
     )
     SELECT count(*)::int AS trading_days,
            avg(pnl)::float8 AS avg_daily_pnl,
            stddev_samp(pnl)::float8 AS daily_pnl_volatility,
            (avg(pnl) / nullif(stddev_samp(pnl), 0) * sqrt(365))::float8 AS sharpe_ratio,
            (-percentile_cont(0.05) WITHIN GROUP (ORDER BY pnl))::float8 AS value_at_risk_95,
            min(pnl)::float8 AS worst_day_pnl,
            max(pnl)::float8 AS best_day_pnl
     FROM days`,
    params,
  );
  return rows[0] ?? {};
}

/**
 * Open positions from trades: per symbol the net volume (buys − sells), the last
 * traded price, and the exposure they make (net volume × last price).
 */
export async function tradePositions(db: Queryable, scope: TradeScope): Promise<Record<string, unknown>> {
  const { where, params } = tradeScopeFilter(scope).build();
  const { rows } = await db.query<{ symbol: string; net_volume: number; exposure: number }>(
    `SELECT t.symbol,
            sum(CASE WHEN t.side = 'buy' THEN t.volume ELSE -t.volume END)::float8 AS net_volume,
            (array_agg(t.price ORDER BY t.time DESC, t.trade_id DESC))[1]::float8 AS last_price,
            (sum(CASE WHEN t.side = 'buy' THEN t.volume ELSE -t.volume END) * (array_agg(t.price ORDER BY t.time DESC, t.trade_id DESC))[1])::float8 AS exposure,
            count(*)::int AS trades,
            coalesce(sum(t.roi), 0)::float8 AS realized_pnl,
            coalesce(sum(t.fee), 0)::float8 AS total_fee
     FROM ${ALL_TRADES} ${where} GROUP BY t.symbol ORDER BY t.symbol LIMIT 10000`,
    params,
  );
  const gross = rows.reduce((sum, row) => sum + Math.abs(row.exposure), 0);
  const net = rows.reduce((sum, row) => sum + row.exposure, 0);
  const largest = rows.reduce((max, row) => Math.max(max, Math.abs(row.exposure)), 0);
  return {
    positions: rows,
    open_positions: rows.filter((row) => Math.abs(row.net_volume) > 1e-12).length,
    gross_exposure: gross,
    net_exposure: net,
    concentration: gross > 0 ? largest / gross : null,
    ...describeRange(scope.range),
  };
}

