// Every analytics number checked against values this test computes itself from
// the rows it wrote (plain TypeScript below, not SQL): totals, groups by bot and
// symbol, performance (profit factor, drawdown, Sharpe-like ratio, VaR), positions
// and exposure, order stats, bot stats. Plus ownership (another user's rows never
// count, naming them is 404) and the bad inputs the analytics must refuse.
import { beforeEach, describe, expect, it } from 'vitest';
import { call, createTestUser, type OrmHarness, type TestUser } from './harness.ts';

interface Row { kind: 'dry' | 'live'; bot: 0 | 1; symbol: string; side: 'buy' | 'sell'; volume: number; price: number; fee: number; roi: number | null; daysAgo: number }

// Times are distinct (daysAgo plus the row's index in minutes) so trade order is unambiguous.
const ROWS: Row[] = [
  { kind: 'live', bot: 0, symbol: 'BTC/USDC', side: 'buy', volume: 0.5, price: 40000, fee: 4, roi: null, daysAgo: 9 },
  { kind: 'live', bot: 0, symbol: 'BTC/USDC', side: 'sell', volume: 0.2, price: 42000, fee: 2, roi: 400, daysAgo: 8 },
  { kind: 'dry', bot: 1, symbol: 'ETH/USDC', side: 'buy', volume: 3, price: 2000, fee: 1.5, roi: null, daysAgo: 8 },
  { kind: 'dry', bot: 1, symbol: 'ETH/USDC', side: 'sell', volume: 1, price: 1900, fee: 0.5, roi: -100, daysAgo: 6 },
  { kind: 'live', bot: 0, symbol: 'BTC/USDC', side: 'sell', volume: 0.1, price: 39000, fee: 1, roi: -250, daysAgo: 5 },
  { kind: 'dry', bot: 1, symbol: 'ETH/USDC', side: 'sell', volume: 1, price: 2100, fee: 0.5, roi: 150, daysAgo: 3 },
  { kind: 'live', bot: 1, symbol: 'SOL/USDC', side: 'buy', volume: 10, price: 100, fee: 0.8, roi: null, daysAgo: 2 },
  { kind: 'live', bot: 1, symbol: 'SOL/USDC', side: 'sell', volume: 4, price: 110, fee: 0.4, roi: 40, daysAgo: 2 },
  { kind: 'dry', bot: 0, symbol: 'BTC/USDC', side: 'sell', volume: 0.1, price: 41000, fee: 0.3, roi: -60, daysAgo: 1 },
];

const timeOf = (row: Row, index: number) => new Date(Date.now() - row.daysAgo * 86_400_000 - (ROWS.length - index) * 60_000);

// ---- the independent computations -------------------------------------------------
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
function totals(rows: Row[]) {
  const closed = rows.filter((r) => r.roi !== null && r.roi !== 0);
  const wins = closed.filter((r) => r.roi! > 0).length;
  const realized = sum(rows.map((r) => r.roi ?? 0));
  const fees = sum(rows.map((r) => r.fee));
  return {
    total_trades: rows.length,
    dry_trades: rows.filter((r) => r.kind === 'dry').length,
    live_trades: rows.filter((r) => r.kind === 'live').length,
    buy_trades: rows.filter((r) => r.side === 'buy').length,
    sell_trades: rows.filter((r) => r.side === 'sell').length,
    winning_trades: wins,
    losing_trades: closed.length - wins,
    win_rate: closed.length ? wins / closed.length : null,
    total_volume: sum(rows.map((r) => r.volume)),
    total_cost: sum(rows.map((r) => r.volume * r.price)),
    total_fee: fees,
    realized_pnl: realized,
    net_pnl: realized - fees,
  };
}
function performance(rows: Row[]) {
  const ordered = rows.map((r, i) => ({ r, t: timeOf(r, ROWS.indexOf(r)).getTime(), i })).sort((a, b) => a.t - b.t);
  let equity = 0;
  let peak = 0;
  let maxDrawdown = 0;
  for (const { r } of ordered) {
    if (r.roi === null) continue;
    equity += r.roi;
    peak = Math.max(peak, equity);
    maxDrawdown = Math.max(maxDrawdown, peak - equity);
  }
  const days = new Map<string, number>();
  for (const { r, t } of ordered) if (r.roi !== null) days.set(new Date(t).toISOString().slice(0, 10), (days.get(new Date(t).toISOString().slice(0, 10)) ?? 0) + r.roi);
  const daily = [...days.values()];
  const mean = sum(daily) / daily.length;
  const std = Math.sqrt(sum(daily.map((p) => (p - mean) ** 2)) / (daily.length - 1));
  const sortedDaily = [...daily].sort((a, b) => a - b);
  const pos = 0.05 * (sortedDaily.length - 1);
  const p5 = sortedDaily[Math.floor(pos)]! + (sortedDaily[Math.ceil(pos)]! - sortedDaily[Math.floor(pos)]!) * (pos - Math.floor(pos));
  const winsRoi = rows.filter((r) => (r.roi ?? 0) > 0).map((r) => r.roi!);
  const lossRoi = rows.filter((r) => (r.roi ?? 0) < 0).map((r) => r.roi!);
  return {
    gross_profit: sum(winsRoi),
    gross_loss: -sum(lossRoi),
    profit_factor: sum(winsRoi) / -sum(lossRoi),
    largest_win: Math.max(...winsRoi),
    largest_loss: Math.min(...lossRoi),
    max_drawdown: maxDrawdown,
    trading_days: daily.length,
    sharpe_ratio: (mean / std) * Math.sqrt(365),
    daily_pnl_volatility: std,
    value_at_risk_95: -p5,
  };
}
function positions(rows: Row[]) {
  const bySymbol = new Map<string, { net: number; last: { t: number; price: number } }>();
  rows.forEach((r) => {
    const t = timeOf(r, ROWS.indexOf(r)).getTime();
    const entry = bySymbol.get(r.symbol) ?? { net: 0, last: { t: -Infinity, price: 0 } };
    entry.net += r.side === 'buy' ? r.volume : -r.volume;
    if (t > entry.last.t) entry.last = { t, price: r.price };
    bySymbol.set(r.symbol, entry);
  });
  const list = [...bySymbol.entries()].map(([symbol, e]) => ({ symbol, net_volume: e.net, last_price: e.last.price, exposure: e.net * e.last.price }));
  const gross = sum(list.map((p) => Math.abs(p.exposure)));
  return { list, gross, net: sum(list.map((p) => p.exposure)), concentration: Math.max(...list.map((p) => Math.abs(p.exposure))) / gross };
}
function expectClose(actual: Record<string, unknown>, expected: Record<string, number | null>) {
  for (const [key, value] of Object.entries(expected)) {
    if (value === null) expect(actual[key], key).toBeNull();
    else expect(actual[key] as number, key).toBeCloseTo(value, 6);
  }
}

/** Registers the suite; `harness()` returns the open harness of the enclosing describe. */
export function defineAnalyticsContract(harness: () => OrmHarness): void {
  const h = new Proxy({} as OrmHarness, { get: (_t, key) => harness()[key as keyof OrmHarness] });

  // ---- fixture: A's rows through the API, then spread over days ---------------------
  interface World { a: TestUser; b: TestUser; admin: TestUser; bots: [number, number]; bBot: number; tradeIds: Array<{ kind: 'dry' | 'live'; id: number }>; bTrade: number }

  async function writeWorld(): Promise<World> {
    const [a, b, admin] = [await createTestUser(h), await createTestUser(h), await createTestUser(h, { role: 'admin' })];
    const bots: [number, number] = [(await call(h, a, 'POST', '/bots', { name: 'a0' })).json().bot_id, (await call(h, a, 'POST', '/bots', { name: 'a1' })).json().bot_id];
    const tradeIds: World['tradeIds'] = [];
    for (const [index, row] of ROWS.entries()) {
      const response = await call(h, a, 'POST', `/trades/${row.kind}`, { bot_id: bots[row.bot], symbol: row.symbol, side: row.side, volume: row.volume, price: row.price, fee: row.fee, roi: row.roi });
      expect(response.statusCode).toBe(200);
      const id = response.json().trade_id as number;
      tradeIds.push({ kind: row.kind, id });
      const table = row.kind === 'dry' ? 'dry_trades' : 'trades';
      const column = row.kind === 'dry' ? 'timestamp' : 'time';
      await h.db.query(`UPDATE ${table} SET ${column} = $2 WHERE trade_id = $1`, [id, timeOf(row, index)]);
    }
    // B trades too: never part of A's numbers.
    const bBot = (await call(h, b, 'POST', '/bots', { name: 'b0' })).json().bot_id;
    const bTrade = (await call(h, b, 'POST', '/trades/live', { bot_id: bBot, symbol: 'BTC/USDC', side: 'buy', volume: 100, price: 1, fee: 99, roi: 1e6 })).json().trade_id;
    return { a, b, admin, bots, bBot, tradeIds, bTrade };
  }

  describe('trade analytics against independently computed values', () => {
    let w: World;
    beforeEach(async () => {
      w = await writeWorld();
    });

    it('/trades/stats and /trades/stats/overall', async () => {
      expectClose((await call(h, w.a, 'GET', '/trades/stats')).json(), totals(ROWS));
      expectClose((await call(h, w.a, 'GET', '/trades/stats/overall')).json(), totals(ROWS));
      expectClose((await call(h, w.a, 'GET', `/trades/stats?bot_id=${w.bots[1]}`)).json(), totals(ROWS.filter((r) => r.bot === 1)));
      expectClose((await call(h, w.a, 'GET', '/trades/stats?kind=live')).json(), totals(ROWS.filter((r) => r.kind === 'live')));
    });

    it('/trades/summary splits by kind', async () => {
      const summary = (await call(h, w.a, 'GET', '/trades/summary')).json();
      expectClose(summary, totals(ROWS));
      expect(summary.symbols).toBe(3);
      expectClose(summary.by_kind.dry, totals(ROWS.filter((r) => r.kind === 'dry')));
      expectClose(summary.by_kind.live, totals(ROWS.filter((r) => r.kind === 'live')));
    });

    it('/trades/by-bot without bot_id is an object keyed by bot id', async () => {
      const grouped = (await call(h, w.a, 'GET', '/trades/by-bot')).json();
      expect(Object.keys(grouped).sort()).toEqual(w.bots.map(String).sort());
      for (const bot of [0, 1] as const) expectClose(grouped[String(w.bots[bot])], totals(ROWS.filter((r) => r.bot === bot)));
    });

    it('/trades/by-symbol and /trades/symbol-performance are objects keyed by symbol', async () => {
      const bySymbol = (await call(h, w.a, 'GET', '/trades/by-symbol')).json();
      const perf = (await call(h, w.a, 'GET', '/trades/symbol-performance')).json();
      for (const symbol of ['BTC/USDC', 'ETH/USDC', 'SOL/USDC']) {
        const rows = ROWS.filter((r) => r.symbol === symbol);
        expectClose(bySymbol[symbol], totals(rows));
        expectClose(perf[symbol], { ...totals(rows), avg_price: sum(rows.map((r) => r.volume * r.price)) / sum(rows.map((r) => r.volume)) });
      }
      expect(Object.keys(bySymbol).sort()).toEqual(['BTC/USDC', 'ETH/USDC', 'SOL/USDC']);
      const list = (await call(h, w.a, 'GET', `/trades/by-symbol?symbol=${encodeURIComponent('SOL/USDC')}`)).json();
      expect(list.map((t: { symbol: string }) => t.symbol)).toEqual(['SOL/USDC', 'SOL/USDC']);
    });

    it('/trades/performance and /views/performance-metrics: profit factor, drawdown, Sharpe-like, VaR', async () => {
      const expected = { ...totals(ROWS), ...performance(ROWS) };
      expectClose((await call(h, w.a, 'GET', '/trades/performance')).json(), expected);
      expectClose((await call(h, w.a, 'GET', '/views/performance-metrics')).json(), expected);
      const live = ROWS.filter((r) => r.kind === 'live');
      expectClose((await call(h, w.a, 'GET', '/trades/performance?kind=live')).json(), { realized_pnl: totals(live).realized_pnl, max_drawdown: performance(live).max_drawdown });
    });

    it('/views/portfolio-stats and /views/risk-metrics: positions and exposure from trades', async () => {
      const expected = positions(ROWS);
      const portfolio = (await call(h, w.a, 'GET', '/views/portfolio-stats')).json();
      expect(portfolio.positions).toHaveLength(3);
      for (const p of expected.list) expectClose(portfolio.positions.find((x: { symbol: string }) => x.symbol === p.symbol), { net_volume: p.net_volume, last_price: p.last_price, exposure: p.exposure });
      expectClose(portfolio, { gross_exposure: expected.gross, net_exposure: expected.net, concentration: expected.concentration });
      const risk = (await call(h, w.a, 'GET', '/views/risk-metrics')).json();
      expectClose(risk, { gross_exposure: expected.gross, max_drawdown: performance(ROWS).max_drawdown, sharpe_ratio: performance(ROWS).sharpe_ratio, value_at_risk_95: performance(ROWS).value_at_risk_95 });
      expectClose(risk.exposure_by_symbol, Object.fromEntries(expected.list.map((p) => [p.symbol, p.exposure])));
    });

    it('/views/trading-overview and /views/user-summary', async () => {
      const overview = (await call(h, w.a, 'GET', '/views/trading-overview')).json();
      expect(overview).toMatchObject({ user_id: w.a.uid, total_bots: 2, total_orders: 0 });
      expectClose(overview.trades, totals(ROWS));
      const summary = (await call(h, w.a, 'GET', '/views/user-summary')).json();
      expect(summary).toMatchObject({ user_id: w.a.uid, user: { uid: w.a.uid, mail: w.a.mail }, total_bots: 2, api_keys: 0 });
      expectClose(summary.trades, totals(ROWS));
    });

    it('a time range narrows every number to the rows inside it', async () => {
      const start = new Date(Date.now() - 4 * 86_400_000).toISOString();
      const inside = ROWS.filter((r) => r.daysAgo < 4);
      expectClose((await call(h, w.a, 'GET', `/trades/stats?start_time=${encodeURIComponent(start)}`)).json(), totals(inside));
      const unix = Math.floor(Date.now() / 1000) - 4 * 86_400;
      expectClose((await call(h, w.a, 'GET', `/trades/performance?start_time=${unix}`)).json(), { realized_pnl: totals(inside).realized_pnl, max_drawdown: performance(inside).max_drawdown });
      const history = (await call(h, w.a, 'GET', `/trades/history?start_time=${encodeURIComponent(start)}`)).json();
      expect(history).toHaveLength(inside.length);
    });

    it('/bots/{id}/stats counts the bot only', async () => {
      const rows = ROWS.filter((r) => r.bot === 0);
      const stats = (await call(h, w.a, 'GET', `/bots/${w.bots[0]}/stats`)).json();
      expect(stats).toMatchObject({ bot_id: w.bots[0], name: 'a0', total_orders: 0, log_entries: 0, last_log_at: null });
      expectClose(stats, totals(rows));
    });

    it('an admin sees every user (or the one named), a user only themselves', async () => {
      expectClose((await call(h, w.admin, 'GET', `/trades/stats?user_id=${w.a.uid}`)).json(), totals(ROWS));
      expectClose((await call(h, w.admin, 'GET', `/views/performance-metrics?user_id=${w.a.uid}`)).json(), { realized_pnl: totals(ROWS).realized_pnl });
      expect((await call(h, w.b, 'GET', '/trades/stats')).json()).toMatchObject({ total_trades: 1, realized_pnl: 1e6 });
      expect(Object.keys((await call(h, w.b, 'GET', '/trades/by-bot')).json())).toEqual([String(w.bBot)]);
    });
  });

  describe('order and bot activity analytics', () => {
    it('/orders/stats, /orders/history and /orders/by-symbol', async () => {
      const user = await createTestUser(h);
      const botId = (await call(h, user, 'POST', '/bots', { name: 'o' })).json().bot_id;
      const orders = [
        { symbol: 'BTC/USDC', side: 'buy', volume: 1, status: 'New' },
        { symbol: 'BTC/USDC', side: 'sell', volume: 2, status: 'filled' },
        { symbol: 'ETH/USDC', side: 'buy', volume: 3, status: 'Cancelled' },
        { symbol: 'ETH/USDC', side: 'buy', volume: 4, status: 'OPEN' },
      ];
      for (const o of orders) expect((await call(h, user, 'POST', '/orders', { bot_id: botId, cat_ex_id: 1, order_type: 'limit', ...o })).statusCode).toBe(200);
      const stats = (await call(h, user, 'GET', '/orders/stats')).json();
      expect(stats).toMatchObject({ total_orders: 4, open_orders: 2, filled_orders: 1, cancelled_orders: 1, buy_orders: 3, sell_orders: 1, symbols: 2, by_status: { New: 1, Filled: 1, Cancelled: 1, Open: 1 } });
      expectClose(stats, { total_volume: 10, filled_volume: 2, fill_rate: 0.25 });
      expect((await call(h, user, 'GET', '/orders/history')).json()).toHaveLength(4);
      expect((await call(h, user, 'GET', '/orders/history?status=filled')).json()).toHaveLength(1);
      expect((await call(h, user, 'GET', `/orders/by-symbol?symbol=${encodeURIComponent('ETH/USDC')}`)).json().map((o: { volume: number }) => o.volume).sort()).toEqual([3, 4]);
      expect((await call(h, user, 'GET', '/orders/by-symbol')).statusCode).toBe(422);
    });

    it('/bots/{id}/actions and /last-log read what /bots/{id}/logs wrote, newest first', async () => {
      const user = await createTestUser(h);
      const botId = (await call(h, user, 'POST', '/bots', { name: 'logger' })).json().bot_id;
      const silent = (await call(h, user, 'GET', `/bots/${botId}/last-log`)).json();
      expect(silent).toEqual({ bot_id: botId, last_log_at: null, last_log: null });
      const written = await call(h, user, 'POST', `/bots/${botId}/logs`, [{ message: 'first', symbol: 'BTC/USDC' }, { message: 'second', position: 'long' }]);
      expect(written.statusCode).toBe(200);
      const actions = (await call(h, user, 'GET', `/bots/${botId}/actions?limit=1`)).json();
      expect(actions.map((a: { message: string }) => a.message)).toEqual(['second']);
      const last = (await call(h, user, 'GET', `/bots/${botId}/last-log`)).json();
      expect(last.last_log).toMatchObject({ message: 'second', position: 'long' });
      expect((await call(h, user, 'GET', `/bots/${botId}/stats`)).json()).toMatchObject({ log_entries: 2, last_log_at: last.last_log_at });
    });
  });

  describe('analytics bad input', () => {
    let user: TestUser;
    beforeEach(async () => {
      user = await createTestUser(h);
    });

    it.each([
      ['a reversed range', '/trades/stats?start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z'],
      ['an empty range', '/trades/performance?start_time=2026-01-01T00:00:00Z&end_time=2026-01-01T00:00:00Z'],
      ['an unbounded range', '/trades/summary?start_time=1970-01-01T00:00:00Z&end_time=2026-01-01T00:00:00Z'],
      ['a range starting in the future', `/views/risk-metrics?start_time=${new Date(Date.now() + 86_400_000).toISOString()}`],
      ['a time that is not a time', '/orders/stats?start_time=yesterday'],
      ['a year past 9999', '/trades/history?end_time=99999999999999'],
      ['a non-numeric bot id', '/trades/stats?bot_id=abc'],
      ['a non-numeric user id', '/views/trading-overview?user_id=1%20OR%201=1'],
      ['an unknown kind', '/trades/performance?kind=paper'],
      ['a non-numeric bot path', '/bots/abc/stats'],
      ['a non-numeric trade path', '/trades/1.5'],
    ])('refuses %s with 422', async (_name, url) => {
      const response = await call(h, user, 'GET', url);
      expect(response.statusCode).toBe(422);
      expect(response.json().detail[0]).toMatchObject({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
    });

    it.each([
      ['/exchanges/id-by-name?name=NoSuchExchange', "Exchange 'NoSuchExchange' not found"],
      ['/exchanges/catalog-id?exchange_name=NoSuchExchange', "Exchange 'NoSuchExchange' not found in catalog"],
      ['/symbols/decimals?symbol=NOPE%2FUSD', "Symbol 'NOPE/USD' not found"],
    ])('answers 404 naming the unknown name for %s', async (url, detail) => {
      const response = await call(h, user, 'GET', url);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail });
    });

    it("answers 404 for another user's user_id, bot_id and trades, and changes nothing", async () => {
      const other = await createTestUser(h);
      const otherBot = (await call(h, other, 'POST', '/bots', { name: 'theirs' })).json().bot_id;
      const otherTrade = (await call(h, other, 'POST', '/trades/dry', { bot_id: otherBot, symbol: 'X', side: 'buy', volume: 1, price: 1 })).json().trade_id;
      for (const url of [`/trades/stats?user_id=${other.uid}`, `/trades/performance?bot_id=${otherBot}`, `/views/user-summary?user_id=${other.uid}`, `/bots/by-user?user_id=${other.uid}`,
        `/bots/${otherBot}/stats`, `/bots/${otherBot}/actions`, `/bots/${otherBot}/last-log`, `/orders/stats?bot_id=${otherBot}`, `/trades/${otherTrade}`]) {
        expect((await call(h, user, 'GET', url)).statusCode, url).toBe(404);
      }
      expect((await call(h, user, 'POST', `/bots/${otherBot}/logs`, { message: 'x' })).statusCode).toBe(404);
      expect((await call(h, user, 'PATCH', `/trades/${otherTrade}`, { roi: 5 })).statusCode).toBe(404);
      expect((await call(h, user, 'DELETE', `/trades/${otherTrade}`)).statusCode).toBe(404);
      expect((await h.db.query('SELECT roi FROM dry_trades WHERE trade_id = $1', [otherTrade])).rows).toEqual([{ roi: null }]);
    });
  });

  describe('PATCH and DELETE /trades/{id}', () => {
    it('corrects a trade (cost follows), ignores unknown fields and refuses ownership or id fields by name', async () => {
      const [user, other] = [await createTestUser(h), await createTestUser(h)];
      const botId = (await call(h, user, 'POST', '/bots', { name: 'p' })).json().bot_id;
      const otherBot = (await call(h, other, 'POST', '/bots', { name: 'q' })).json().bot_id;
      const trade = (await call(h, user, 'POST', '/trades/live', { bot_id: botId, symbol: 'BTC/USDC', side: 'buy', volume: 2, price: 10 })).json();
      const patched = await call(h, user, 'PATCH', `/trades/${trade.trade_id}`, { roi: 12.5, price: 11, status: 'completed' });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ trade_id: trade.trade_id, kind: 'live', roi: 12.5, price: 11, cost: 22, bot_id: botId, uid: user.uid });
      for (const body of [{ bot_id: otherBot }, { uid: other.uid }, { user_id: other.uid }, { trade_id: 1 }, { ex_id: 1 }, { kind: 'dry' }]) {
        const refused = await call(h, user, 'PATCH', `/trades/${trade.trade_id}`, body);
        expect(refused.statusCode).toBe(422);
        expect(refused.json().detail[0].loc).toEqual(['body', Object.keys(body)[0]]);
      }
      expect((await call(h, user, 'GET', `/trades/${trade.trade_id}`)).json()).toMatchObject({ bot_id: botId, uid: user.uid, roi: 12.5 });
    });

    it('dry and live trades share one id space, so an id names one trade', async () => {
      const user = await createTestUser(h);
      const botId = (await call(h, user, 'POST', '/bots', { name: 'ids' })).json().bot_id;
      const dry = (await call(h, user, 'POST', '/trades/dry', { bot_id: botId, symbol: 'X', side: 'buy', volume: 1, price: 1 })).json();
      const live = (await call(h, user, 'POST', '/trades/live', { bot_id: botId, symbol: 'X', side: 'buy', volume: 1, price: 1 })).json();
      expect(dry.trade_id).not.toBe(live.trade_id);
      expect((await call(h, user, 'DELETE', `/trades/${dry.trade_id}`)).statusCode).toBe(204);
      expect((await call(h, user, 'GET', `/trades/${dry.trade_id}`)).statusCode).toBe(404);
      expect((await call(h, user, 'GET', `/trades/${live.trade_id}`)).json()).toMatchObject({ kind: 'live' });
    });

    it('POST /trades/bot saves a list of live trades at once, all or none', async () => {
      const [user, other] = [await createTestUser(h), await createTestUser(h)];
      const botId = (await call(h, user, 'POST', '/bots', { name: 'batch' })).json().bot_id;
      const otherBot = (await call(h, other, 'POST', '/bots', { name: 'x' })).json().bot_id;
      const saved = await call(h, user, 'POST', '/trades/bot', [
        { bot_id: botId, symbol: 'BTC/USDC', side: 'BUY', volume: 1, price: 5 },
        { bot_id: botId, symbol: 'BTC/USDC', side: 'sell', volume: 1, price: 6, roi: 1 },
      ]);
      expect(saved.statusCode).toBe(200);
      expect(saved.json().map((t: { side: string; kind: string }) => [t.side, t.kind])).toEqual([['buy', 'live'], ['sell', 'live']]);
      const mixed = await call(h, user, 'POST', '/trades/bot', { trades: [{ bot_id: botId, symbol: 'A', side: 'buy', volume: 1, price: 1 }, { bot_id: otherBot, symbol: 'A', side: 'buy', volume: 1, price: 1 }] });
      expect(mixed.statusCode).toBe(404);
      const invalid = await call(h, user, 'POST', '/trades/bot', [{ bot_id: botId, symbol: 'A', side: 'buy', volume: 1, price: 1 }, { bot_id: botId, symbol: 'A', side: 'buy', volume: -1, price: 1 }]);
      expect(invalid.statusCode).toBe(422);
      expect(invalid.json().detail[0].loc).toEqual(['body', 1, 'volume']);
      expect((await call(h, user, 'GET', `/trades/bot?bot_id=${botId}`)).json()).toHaveLength(2);
    });
  });
}
