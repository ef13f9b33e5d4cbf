// The orm contract suites (internal auth endpoints, trading flow, analytics) run once on
// real Postgres and once on PGlite, sharing one database per implementation.
import { afterAll, beforeAll, describe } from 'vitest';
import { openOrmHarness, type DbKind, type OrmHarness } from './harness.ts';
import { defineInternalAuthContract } from './internal-auth.contract.ts';
import { defineTradingFlowContract } from './trading-flow.contract.ts';
import { defineAnalyticsContract } from './analytics.contract.ts';

describe.each<DbKind>(['postgres', 'pglite'])('orm contract on %s', (kind) => {
  let h: OrmHarness;
  beforeAll(async () => {
    h = await openOrmHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });
  describe('internal auth endpoints', () => defineInternalAuthContract(() => h));
  describe('trading flow', () => defineTradingFlowContract(() => h));
  describe('analytics', () => defineAnalyticsContract(() => h));
});
