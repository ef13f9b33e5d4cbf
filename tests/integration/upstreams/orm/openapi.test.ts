// The orm's OpenAPI document: valid OpenAPI 3.1, every public route described
// (summary, tag), lists documented as arrays with their paging parameters, and
// the analytics answers pinned: the documented response schema parses what the
// route really answers.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH } from '../../../../upstreams/common/openapi.ts';
import * as shapes from '../../../../upstreams/orm/analytics/response-schemas.ts';
import { call, createTestUser, openOrmHarness, type OrmHarness, type TestUser } from './harness.ts';

let h: OrmHarness;
let doc: { paths: Record<string, Record<string, { summary?: string; tags?: string[]; parameters?: Array<{ name: string; in: string }> }>> };
let user: TestUser;
beforeAll(async () => {
  h = await openOrmHarness('postgres');
  user = await createTestUser(h);
  doc = (await call(h, user, 'GET', OPENAPI_PATH)).json();
});
afterAll(async () => {
  await h.close();
});

describe('orm OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every public route, internal ones excepted', () => {
    const routes = h.app.printRoutes({ commonPrefix: false });
    expect(routes).toContain('internal');
    const undescribed = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).filter(([, op]) => !op.summary && path !== '/health').map(([method]) => `${method} ${path}`));
    expect(undescribed).toEqual([]);
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/internal'))).toEqual([]);
    for (const path of ['/trades/performance', '/trades/symbol-performance', '/views/risk-metrics', '/bots/{bot_id}/stats', '/exchanges/id-by-name', '/orders/stats', '/strategies/user-strategies']) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });

  it('lists paging and time-range parameters where they apply', () => {
    const names = (path: string) => (doc.paths[path]!.get!.parameters ?? []).map((p) => p.name);
    expect(names('/bots')).toEqual(expect.arrayContaining(['limit', 'offset']));
    expect(names('/trades/history')).toEqual(expect.arrayContaining(['limit', 'offset', 'start_time', 'end_time', 'bot_id', 'symbol', 'kind', 'user_id']));
    expect(names('/views/risk-metrics')).toEqual(expect.arrayContaining(['start_time', 'end_time', 'user_id']));
  });
});

describe('analytics answers match their documented schemas', () => {
  it.each([
    ['/trades/stats/overall', shapes.tradeTotalsSchema],
    ['/trades/summary', shapes.tradeTotalsSchema.extend({ by_kind: shapes.groupedMetricsSchema })],
    ['/trades/performance', shapes.tradePerformanceSchema],
    ['/trades/symbol-performance', shapes.groupedPerformanceSchema],
    ['/trades/by-bot', shapes.groupedMetricsSchema],
    ['/orders/stats', shapes.orderStatsSchema],
    ['/views/trading-overview', shapes.tradingOverviewSchema],
    ['/views/performance-metrics', shapes.tradePerformanceSchema],
    ['/views/user-summary', shapes.userSummarySchema],
    ['/views/portfolio-stats', shapes.positionsSchema],
    ['/views/risk-metrics', shapes.riskMetricsSchema],
  ] as const)('%s', async (path, schema) => {
    const trader = await createTestUser(h);
    const botId = (await call(h, trader, 'POST', '/bots', { name: 'doc' })).json().bot_id;
    await call(h, trader, 'POST', '/trades/live', { bot_id: botId, symbol: 'BTC/USDC', side: 'buy', volume: 1, price: 10, roi: 2 });
    await call(h, trader, 'POST', '/orders', { bot_id: botId, cat_ex_id: 1, symbol: 'BTC/USDC', side: 'buy', volume: 1, order_type: 'market' });
    const answer = await call(h, trader, 'GET', path);
    expect(answer.statusCode).toBe(200);
    expect(schema.safeParse(answer.json()).error).toBeUndefined();
  });

  it('/bots/{id}/stats, /actions and /last-log', async () => {
    const trader = await createTestUser(h);
    const botId = (await call(h, trader, 'POST', '/bots', { name: 'doc' })).json().bot_id;
    await call(h, trader, 'POST', `/bots/${botId}/logs`, { message: 'hello' });
    expect(shapes.botStatsSchema.safeParse((await call(h, trader, 'GET', `/bots/${botId}/stats`)).json()).error).toBeUndefined();
    expect(shapes.lastLogSchema.safeParse((await call(h, trader, 'GET', `/bots/${botId}/last-log`)).json()).error).toBeUndefined();
  });
});
