// What the analytics routes answer, as zod schemas: the OpenAPI document shows
// them (describeRoute) and the tests parse real answers with them, so the
// documented shape and the served one cannot drift apart.
import { z } from 'zod';

const n = z.number();
const nn = z.number().nullable();
const at = z.string().nullable();
const range = { start_time: z.string().describe('range start (inclusive), ISO 8601'), end_time: z.string().describe('range end (exclusive), ISO 8601') };

export const tradeMetricsShape = {
  total_trades: n, dry_trades: n, live_trades: n, buy_trades: n, sell_trades: n,
  winning_trades: n.describe('trades with roi > 0'),
  losing_trades: n.describe('trades with roi < 0'),
  win_rate: nn.describe('wins / (wins + losses); null without closed trades'),
  total_volume: n.describe('sum of volume (base units)'),
  total_cost: n.describe('sum of volume × price (quote units)'),
  total_fee: n,
  realized_pnl: n.describe('sum of roi'),
  net_pnl: n.describe('realized_pnl − total_fee'),
  avg_roi_pct: nn,
  first_trade_at: at,
  last_trade_at: at,
};

export const tradeMetricsSchema = z.object(tradeMetricsShape);

export const tradeTotalsSchema = z.object({ ...tradeMetricsShape, symbols: n, bots: n, ...range });

const performanceShape = {
  gross_profit: n, gross_loss: n,
  profit_factor: nn.describe('gross profit / gross loss; null without losses'),
  avg_win: nn, avg_loss: nn, largest_win: nn, largest_loss: nn,
  expectancy: nn.describe('realised PnL per closed trade'),
  avg_price: nn.describe('total_cost / total_volume'),
};

export const groupedMetricsSchema = z.record(z.string(), z.object(tradeMetricsShape).passthrough()).describe('keyed by bot id or symbol');
export const groupedPerformanceSchema = z.record(z.string(), z.object({ ...tradeMetricsShape, ...performanceShape }).passthrough()).describe('keyed by symbol');

export const tradePerformanceSchema = z.object({
  user_id: nn.optional(),
  bot_id: nn.optional(),
  ...tradeMetricsShape,
  ...performanceShape,
  max_drawdown: n.describe('largest fall of cumulative realised PnL from its running peak (peak starts at 0)'),
  trading_days: n,
  avg_daily_pnl: nn,
  daily_pnl_volatility: nn.describe('sample stddev of daily realised PnL'),
  sharpe_ratio: nn.describe('mean / stddev of daily realised PnL × √365; null with < 2 trading days'),
  value_at_risk_95: nn.describe('minus the 5th percentile of daily realised PnL'),
  worst_day_pnl: nn,
  best_day_pnl: nn,
  ...range,
});

export const positionsSchema = z.object({
  user_id: n.optional(),
  positions: z.array(z.object({ symbol: z.string(), net_volume: n, last_price: n, exposure: n, trades: n, realized_pnl: n, total_fee: n })),
  open_positions: n,
  gross_exposure: n.describe('sum of |net volume × last price|'),
  net_exposure: n,
  concentration: nn.describe('largest |exposure| / gross exposure'),
  ...range,
});

export const riskMetricsSchema = z.object({
  user_id: n,
  max_drawdown: nn, sharpe_ratio: nn, daily_pnl_volatility: nn, value_at_risk_95: nn, worst_day_pnl: nn, best_day_pnl: nn,
  trading_days: nn, largest_loss: nn, profit_factor: nn, win_rate: nn, realized_pnl: nn,
  gross_exposure: nn, net_exposure: nn, concentration: nn, open_positions: nn,
  exposure_by_symbol: z.record(z.string(), n),
  ...range,
});

const countsShape = { total_bots: n, active_bots: n, dry_run_bots: n, total_exchanges: n, total_orders: n, open_orders: n };

export const tradingOverviewSchema = z.object({ user_id: n, ...countsShape, trades: tradeTotalsSchema });

export const userSummarySchema = z.object({
  user_id: n, user: z.object({ uid: n, mail: z.string() }).passthrough(), ...countsShape,
  api_keys: n, active_api_keys: n, strategies: n, trades: tradeTotalsSchema,
});

export const orderStatsSchema = z.object({
  user_id: nn, bot_id: nn, total_orders: n, open_orders: n, filled_orders: n, cancelled_orders: n, failed_orders: n, buy_orders: n, sell_orders: n,
  total_volume: n, filled_volume: n, fill_rate: nn, symbols: n, first_order_at: at, last_order_at: at,
  by_status: z.record(z.string(), n).describe('order count per status'), ...range,
});

export const botStatsSchema = z.object({
  bot_id: n, uid: n, name: z.string(), active: z.boolean(), dry_run: z.boolean(), created_at: z.string(),
  total_orders: n, open_orders: n, strategies: n, exchanges: n, log_entries: n, last_log_at: at, age_seconds: n,
  ...tradeMetricsShape, symbols: n, bots: n, ...range,
});

export const botLogSchema = z.object({ log_id: n, bot_id: n, ex_id: nn, symbol: z.string().nullable(), position: z.string().nullable(), message: z.string().nullable(), feed_num: nn, timestamp: z.string() });
export const lastLogSchema = z.object({ bot_id: n, last_log_at: at, last_log: botLogSchema.nullable() });
