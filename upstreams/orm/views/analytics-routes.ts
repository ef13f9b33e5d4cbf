// /views for dashboards: one user's trading overview, performance, summary,
// portfolio (positions and exposure from trades) and risk metrics, computed in
// SQL over a bounded time range. A view is of one user: the caller, or (admins
// only) ?user_id=; naming another user as a regular user is 404.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { tradePerformance, tradePositions, tradeTotals } from '../analytics/trade-metrics.ts';
import { readTradeScope, tradeScopeQuerySchema, type TradeScope } from '../analytics/trade-scope.ts';
import type { OrmContext } from '../context.ts';
import { OPEN_STATUSES } from '../orders/schemas.ts';
import { PUBLIC_USER_COLUMNS } from '../users/user-store.ts';
import { doc } from '../http/route-docs.ts';
import { positionsSchema, riskMetricsSchema, tradePerformanceSchema, tradingOverviewSchema, userSummarySchema } from '../analytics/response-schemas.ts';

export function registerViewAnalyticsRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  /** The scope of a view: always one existing user. */
  const viewScope = async (request: FastifyRequest): Promise<TradeScope & { uid: number }> => {
    const identity = identityOf(request);
    const query = request.query as Record<string, unknown>;
    const scope = await readTradeScope(ctx, identity, { ...query, user_id: query.user_id ?? query.uid ?? String(identity.userId) });
    const uid = scope.uid ?? identity.userId;
    const { rowCount } = await db.query('SELECT 1 FROM users WHERE uid = $1', [uid]);
    if (rowCount === 0) throw notFound('User not found');
    return { ...scope, uid };
  };

  const counts = async (scope: TradeScope & { uid: number }) => {
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM bots b WHERE b.uid = $1) AS total_bots,
              (SELECT count(*)::int FROM bots b WHERE b.uid = $1 AND b.active) AS active_bots,
              (SELECT count(*)::int FROM bots b WHERE b.uid = $1 AND b.dry_run) AS dry_run_bots,
              (SELECT count(*)::int FROM exchanges e WHERE e.uid = $1) AS total_exchanges,
              (SELECT count(*)::int FROM orders o WHERE o.uid = $1 AND o.timestamp >= $2 AND o.timestamp < $3) AS total_orders,
              (SELECT count(*)::int FROM orders o WHERE o.uid = $1 AND o.timestamp >= $2 AND o.timestamp < $3 AND o.status = ANY($4::text[])) AS open_orders`,
      [scope.uid, scope.range.start, scope.range.end, [...OPEN_STATUSES]],
    );
    return rows[0]!;
  };

  app.get('/views/trading-overview', doc('views', "A user's bots, exchanges, orders and trade totals over a time range", { query: tradeScopeQuerySchema, response: { 200: tradingOverviewSchema } }), async (request) => {
    const scope = await viewScope(request);
    const [c, trades] = await Promise.all([counts(scope), tradeTotals(db, scope)]);
    return { user_id: scope.uid, ...c, trades };
  });

  app.get('/views/performance-metrics', doc('views', "A user's trading performance over a time range", { query: tradeScopeQuerySchema, response: { 200: tradePerformanceSchema } }), async (request) => {
    const scope = await viewScope(request);
    return { user_id: scope.uid, ...(await tradePerformance(db, scope)) };
  });

  app.get('/views/user-summary', doc('views', 'A user, their counts and trade totals', { query: tradeScopeQuerySchema, response: { 200: userSummarySchema } }), async (request) => {
    const scope = await viewScope(request);
    const [user, c, keys, trades] = await Promise.all([
      db.query(`SELECT ${PUBLIC_USER_COLUMNS} FROM users WHERE uid = $1`, [scope.uid]),
      counts(scope),
      db.query<{ api_keys: number; active_api_keys: number; strategies: number }>(
        `SELECT (SELECT count(*)::int FROM api_keys k WHERE k.uid = $1) AS api_keys,
                (SELECT count(*)::int FROM api_keys k WHERE k.uid = $1 AND k.is_active) AS active_api_keys,
                (SELECT count(*)::int FROM strategies s JOIN bots b ON b.bot_id = s.bot_id WHERE b.uid = $1 AND s.removed_at IS NULL) AS strategies`,
        [scope.uid],
      ),
      tradeTotals(db, scope),
    ]);
    return { user_id: scope.uid, user: user.rows[0], ...c, ...keys.rows[0], trades };
  });

  app.get('/views/portfolio-stats', doc('views', 'Positions and exposure per symbol from trades', { query: tradeScopeQuerySchema, response: { 200: positionsSchema } }), async (request) => {
    const scope = await viewScope(request);
    return { user_id: scope.uid, ...(await tradePositions(db, scope)) };
  });

  app.get('/views/risk-metrics', doc('views', 'Drawdown, Sharpe-like ratio, VaR, exposure and concentration', { query: tradeScopeQuerySchema, response: { 200: riskMetricsSchema } }), async (request) => {
    const scope = await viewScope(request);
    const [performance, portfolio] = await Promise.all([tradePerformance(db, scope), tradePositions(db, scope)]);
    const pick = (from: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((key) => [key, from[key] ?? null]));
    return {
      user_id: scope.uid,
      ...pick(performance, ['max_drawdown', 'sharpe_ratio', 'daily_pnl_volatility', 'value_at_risk_95', 'worst_day_pnl', 'best_day_pnl', 'trading_days', 'largest_loss', 'profit_factor', 'win_rate', 'realized_pnl']),
      ...pick(portfolio, ['gross_exposure', 'net_exposure', 'concentration', 'open_positions']),
      exposure_by_symbol: Object.fromEntries((portfolio.positions as Array<{ symbol: string; exposure: number }>).map((p) => [p.symbol, p.exposure])),
      start_time: performance.start_time,
      end_time: performance.end_time,
    };
  });
}
