// Example: a trader's dashboard through the gateway (/api/v1/orm). A fresh user
// makes a bot, records dry and live trades and a few orders, writes bot log
// lines, then reads bot stats, trade stats, performance, per-symbol performance,
// order stats and the dashboard views, and checks every number against what it
// computes itself from what it wrote. Another user sees none of it.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/trading_dashboard.ts
import assert from 'node:assert/strict';
import { createUser, fetchJson, login, loginAsAdmin } from './lib/client.ts';

const ORM = '/api/v1/orm';

interface Fill { kind: 'dry' | 'live'; symbol: string; side: 'buy' | 'sell'; volume: number; price: number; fee: number; roi?: number }

// What the bot did: buys, then closes with a win, a loss and a win.
const FILLS: Fill[] = [
  { kind: 'live', symbol: 'BTC/USDC', side: 'buy', volume: 0.5, price: 60000, fee: 15 },
  { kind: 'live', symbol: 'BTC/USDC', side: 'sell', volume: 0.25, price: 62000, fee: 7.75, roi: 500 },
  { kind: 'dry', symbol: 'ETH/USDC', side: 'buy', volume: 2, price: 3000, fee: 3 },
  { kind: 'dry', symbol: 'ETH/USDC', side: 'sell', volume: 1, price: 2900, fee: 1.45, roi: -100 },
  { kind: 'live', symbol: 'BTC/USDC', side: 'sell', volume: 0.25, price: 61000, fee: 7.6, roi: 250 },
];

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} != ${expected}`);

/** The numbers a dashboard should show, computed here from FILLS alone. */
function expected(fills: Fill[]) {
  const closed = fills.filter((f) => f.roi !== undefined && f.roi !== 0);
  const wins = closed.filter((f) => f.roi! > 0);
  const realized = sum(fills.map((f) => f.roi ?? 0));
  const fees = sum(fills.map((f) => f.fee));
  // Equity after each closing trade, in the order written; drawdown from the running peak (starting at 0).
  let equity = 0;
  let peak = 0;
  let drawdown = 0;
  for (const f of closed) {
    equity += f.roi!;
    peak = Math.max(peak, equity);
    drawdown = Math.max(drawdown, peak - equity);
  }
  return {
    total_trades: fills.length,
    winning_trades: wins.length,
    losing_trades: closed.length - wins.length,
    win_rate: wins.length / closed.length,
    total_volume: sum(fills.map((f) => f.volume)),
    total_fee: fees,
    realized_pnl: realized,
    net_pnl: realized - fees,
    profit_factor: sum(wins.map((f) => f.roi!)) / -sum(closed.filter((f) => f.roi! < 0).map((f) => f.roi!)),
    max_drawdown: drawdown,
  };
}

async function main(): Promise<void> {
  const adminToken = await loginAsAdmin();
  const trader = await createUser(adminToken, 'trader');
  const other = await createUser(adminToken, 'other');
  const token = await login(trader.mail, trader.password);
  const otherToken = await login(other.mail, other.password);

  // 1. A bot, its trades (dry and live), orders and log lines.
  const bot = await fetchJson(`${ORM}/bots`, { token, body: { name: 'dashboard-bot', dry_run: false, active: true } });
  assert.equal(bot.status, 200, JSON.stringify(bot.body));
  const botId = bot.body.bot_id as number;
  const tradeIds: number[] = [];
  for (const fill of FILLS) {
    const { kind, ...trade } = fill;
    const written = await fetchJson(`${ORM}/trades/${kind}`, { token, body: { bot_id: botId, order_type: 'market', ...trade } });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    close(written.body.cost, fill.volume * fill.price, 'cost = volume × price');
    tradeIds.push(written.body.trade_id);
  }
  for (const [status, volume] of [['Filled', 0.5], ['filled', 0.25], ['Cancelled', 1], ['New', 0.1]] as const) {
    const order = await fetchJson(`${ORM}/orders`, { token, body: { bot_id: botId, cat_ex_id: 1, symbol: 'BTC/USDC', side: 'buy', volume, order_type: 'limit', price: 60000, status } });
    assert.equal(order.status, 200, JSON.stringify(order.body));
  }
  const logs = await fetchJson(`${ORM}/bots/${botId}/logs`, { token, body: [{ message: 'opened long', symbol: 'BTC/USDC', position: 'long' }, { message: 'took profit', symbol: 'BTC/USDC' }] });
  assert.equal(logs.status, 200, JSON.stringify(logs.body));
  console.log(`wrote ${FILLS.length} trades, 4 orders and 2 log lines for bot ${botId}`);

  const want = expected(FILLS);

  // 2. Bot stats, actions and last log.
  const stats = (await fetchJson(`${ORM}/bots/${botId}/stats`, { token })).body;
  for (const key of ['total_trades', 'winning_trades', 'losing_trades', 'win_rate', 'total_volume', 'total_fee', 'realized_pnl', 'net_pnl'] as const) close(stats[key], want[key], `bot stats ${key}`);
  assert.equal(stats.total_orders, 4);
  assert.equal(stats.open_orders, 1);
  assert.equal(stats.log_entries, 2);
  const actions = (await fetchJson(`${ORM}/bots/${botId}/actions`, { token })).body;
  assert.deepEqual(actions.map((a: { message: string }) => a.message), ['took profit', 'opened long']);
  const lastLog = (await fetchJson(`${ORM}/bots/${botId}/last-log`, { token })).body;
  assert.equal(lastLog.last_log.message, 'took profit');
  console.log(`bot stats: ${stats.total_trades} trades, win rate ${stats.win_rate}, realised PnL ${stats.realized_pnl}, net ${stats.net_pnl}`);

  // 3. Performance, per-symbol performance, trades grouped by bot.
  const performance = (await fetchJson(`${ORM}/trades/performance`, { token })).body;
  for (const key of ['realized_pnl', 'profit_factor', 'max_drawdown', 'win_rate'] as const) close(performance[key], want[key], `performance ${key}`);
  const perSymbol = (await fetchJson(`${ORM}/trades/symbol-performance`, { token })).body;
  assert.deepEqual(Object.keys(perSymbol).sort(), ['BTC/USDC', 'ETH/USDC']);
  for (const symbol of ['BTC/USDC', 'ETH/USDC']) {
    const mine = expected(FILLS.filter((f) => f.symbol === symbol));
    close(perSymbol[symbol].realized_pnl, mine.realized_pnl, `${symbol} realised PnL`);
    close(perSymbol[symbol].total_volume, mine.total_volume, `${symbol} volume`);
  }
  const byBot = (await fetchJson(`${ORM}/trades/by-bot`, { token })).body;
  assert.deepEqual(Object.keys(byBot), [String(botId)]);
  const live = (await fetchJson(`${ORM}/trades/live`, { token })).body;
  assert.equal(live.length, FILLS.filter((f) => f.kind === 'live').length);
  console.log(`performance: profit factor ${performance.profit_factor}, max drawdown ${performance.max_drawdown}`);

  // 4. Order stats and the dashboard views.
  const orderStats = (await fetchJson(`${ORM}/orders/stats`, { token })).body;
  assert.deepEqual({ total: orderStats.total_orders, filled: orderStats.filled_orders, cancelled: orderStats.cancelled_orders, open: orderStats.open_orders }, { total: 4, filled: 2, cancelled: 1, open: 1 });
  close(orderStats.filled_volume, 0.75, 'filled volume');
  const overview = (await fetchJson(`${ORM}/views/trading-overview`, { token })).body;
  assert.equal(overview.total_bots, 1);
  close(overview.trades.realized_pnl, want.realized_pnl, 'overview realised PnL');
  const portfolio = (await fetchJson(`${ORM}/views/portfolio-stats`, { token })).body;
  // BTC: bought 0.5, sold 0.5 → flat. ETH: bought 2, sold 1 at 2900 (last price) → 1 × 2900.
  close(portfolio.net_exposure, 2900, 'net exposure');
  assert.equal(portfolio.open_positions, 1);
  const risk = (await fetchJson(`${ORM}/views/risk-metrics`, { token })).body;
  close(risk.max_drawdown, want.max_drawdown, 'risk max drawdown');
  close(risk.gross_exposure, 2900, 'risk gross exposure');
  console.log(`views: net exposure ${portfolio.net_exposure}, open positions ${portfolio.open_positions}`);

  // 5. A correction, a deletion, and what another user sees: nothing.
  const corrected = await fetchJson(`${ORM}/trades/${tradeIds[0]}`, { token, method: 'PATCH', body: { fee: 14 } });
  assert.equal(corrected.body.fee, 14);
  const moved = await fetchJson(`${ORM}/trades/${tradeIds[0]}`, { token, method: 'PATCH', body: { bot_id: botId + 1 } });
  assert.equal(moved.status, 422, 'a trade cannot move to another bot');
  for (const path of [`${ORM}/bots/${botId}/stats`, `${ORM}/trades/${tradeIds[1]}`, `${ORM}/trades/performance?bot_id=${botId}`, `${ORM}/views/risk-metrics?user_id=${trader.uid}`]) {
    assert.equal((await fetchJson(path, { token: otherToken })).status, 404, `${path} as another user`);
  }
  assert.equal((await fetchJson(`${ORM}/trades/${tradeIds[1]}`, { token: otherToken, method: 'DELETE' })).status, 404);
  assert.equal((await fetchJson(`${ORM}/trades/${tradeIds[1]}`, { token, method: 'DELETE' })).status, 204);
  close((await fetchJson(`${ORM}/trades/stats`, { token })).body.realized_pnl, want.realized_pnl - 500, 'realised PnL after deleting the +500 trade');
  console.log('trading_dashboard: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
