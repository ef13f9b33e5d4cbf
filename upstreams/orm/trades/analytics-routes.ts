// /trades analytics, all computed in SQL over a bounded time range and scoped to
// the caller's trades (an admin: everyone's, or ?user_id='s): lists (history,
// live, per bot, per symbol), grouped summaries keyed by bot id or symbol (the
// objects fullon clients read with .keys()), stats, performance and summary.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unprocessable } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import { tradePerformance, tradesGroupedBy, tradeTotals } from '../analytics/trade-metrics.ts';
import { readTradeScope, tradeScopeFilter, tradeScopeQuerySchema, type TradeScope } from '../analytics/trade-scope.ts';
import type { OrmContext } from '../context.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { ALL_TRADES } from './trade-columns.ts';
import { doc, listDoc } from '../http/route-docs.ts';
import { groupedMetricsSchema, groupedPerformanceSchema, tradePerformanceSchema, tradeTotalsSchema } from '../analytics/response-schemas.ts';
import { z } from 'zod';

export function registerTradeAnalyticsRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  const scopeOf = (request: FastifyRequest, defaults: Partial<Pick<TradeScope, 'kind'>> = {}) => readTradeScope(ctx, identityOf(request), request.query, defaults);
  const list = async (request: FastifyRequest, reply: FastifyReply, scope: TradeScope) => {
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const filter = tradeScopeFilter(scope);
    return sendPage(request, reply, await listPage(db, { select: `SELECT * FROM ${ALL_TRADES}`, from: ALL_TRADES, filter, orderBy: 't.time DESC, t.trade_id DESC, t.kind', page }));
  };

  // With ?bot_id= the bot's trades (a list); without, the caller's trades grouped by bot.
  app.get('/trades/by-bot', doc('trades', "With bot_id: the bot's trades (a list). Without: the caller's trades grouped by bot, keyed by bot id", { query: tradeScopeQuerySchema, response: { 200: groupedMetricsSchema } }), async (request, reply) => {
    const scope = await scopeOf(request);
    return scope.botId !== undefined ? list(request, reply, scope) : tradesGroupedBy(db, scope, 'bot_id');
  });

  app.get('/trades/bot', listDoc('trades', "A bot's trades (bot_id required)", { query: tradeScopeQuerySchema }), async (request, reply) => {
    const scope = await scopeOf(request);
    if (scope.botId === undefined) throw unprocessable([{ loc: ['query', 'bot_id'], msg: 'Field required', type: 'missing' }]);
    return list(request, reply, scope);
  });

  // With ?symbol= that symbol's trades (a list); without, grouped by symbol.
  app.get('/trades/by-symbol', doc('trades', "With symbol: that symbol's trades (a list). Without: grouped by symbol, keyed by symbol", { query: tradeScopeQuerySchema, response: { 200: groupedMetricsSchema } }), async (request, reply) => {
    const scope = await scopeOf(request);
    return scope.symbol !== undefined ? list(request, reply, scope) : tradesGroupedBy(db, scope, 'symbol');
  });

  app.get('/trades/history', listDoc('trades', 'Trades in a time range, newest first', { query: tradeScopeQuerySchema }), async (request, reply) => list(request, reply, await scopeOf(request)));
  app.get('/trades/live', listDoc('trades', 'Live trades in a time range, newest first', { query: tradeScopeQuerySchema }), async (request, reply) => list(request, reply, await scopeOf(request, { kind: 'live' })));

  app.get('/trades/stats', doc('trades', 'Trade statistics over a time range', { query: tradeScopeQuerySchema, response: { 200: tradeTotalsSchema.extend({ bot_id: z.number().nullable(), total_roi: z.number() }) } }), async (request) => {
    const scope = await scopeOf(request);
    const totals = await tradeTotals(db, scope);
    // total_roi: this route's name for realised PnL before the analytics existed.
    return { bot_id: scope.botId ?? null, ...totals, total_roi: totals.realized_pnl };
  });

  app.get('/trades/stats/overall', doc('trades', 'Statistics over all of the scope\'s trades in a time range', { query: tradeScopeQuerySchema, response: { 200: tradeTotalsSchema } }), async (request) => {
    const scope = await scopeOf(request);
    return { user_id: scope.uid ?? null, ...(await tradeTotals(db, scope)) };
  });

  app.get('/trades/summary', doc('trades', 'Totals plus a split by kind (dry, live)', { query: tradeScopeQuerySchema, response: { 200: tradeTotalsSchema.extend({ by_kind: groupedMetricsSchema }) } }), async (request) => {
    const scope = await scopeOf(request);
    const [totals, byKind] = await Promise.all([tradeTotals(db, scope), tradesGroupedBy(db, scope, 'kind')]);
    return { user_id: scope.uid ?? null, bot_id: scope.botId ?? null, ...totals, by_kind: byKind };
  });

  app.get('/trades/performance', doc('trades', 'Performance: PnL, win rate, profit factor, drawdown, Sharpe-like ratio, VaR', { query: tradeScopeQuerySchema, response: { 200: tradePerformanceSchema } }), async (request) => {
    const scope = await scopeOf(request);
    return { user_id: scope.uid ?? null, bot_id: scope.botId ?? null, ...(await tradePerformance(db, scope)) };
  });

  app.get('/trades/symbol-performance', doc('trades', 'Performance per symbol, keyed by symbol', { query: tradeScopeQuerySchema, response: { 200: groupedPerformanceSchema } }), async (request) => tradesGroupedBy(db, await scopeOf(request), 'symbol', true));
}
