// The demo seed loads the fullon demo catalog once and is idempotent; the CLI
// (npm run seed:demo) works against a Postgres URL.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../../../upstreams/orm/seed/load-demo.ts';
import { freshDatabaseUrl, uniqueMail } from '../../../helpers/isolation.ts';
import { ORM_TEST_ENV, call, createTestUser, openOrmHarness, type OrmHarness } from './harness.ts';

let h: OrmHarness;
beforeAll(async () => {
  h = await openOrmHarness('postgres');
});
afterAll(async () => {
  await h.close();
});

async function countOwned(uid: number) {
  const { rows } = await h.db.query<{ bots: number; strategies: number; feeds: number; accounts: number; links: number }>(
    `SELECT (SELECT count(*)::int FROM bots WHERE uid = $1) AS bots,
            (SELECT count(*)::int FROM strategies s JOIN bots b USING (bot_id) WHERE b.uid = $1) AS strategies,
            (SELECT count(*)::int FROM feeds f JOIN strategies s USING (str_id) JOIN bots b USING (bot_id) WHERE b.uid = $1) AS feeds,
            (SELECT count(*)::int FROM exchanges WHERE uid = $1) AS accounts,
            (SELECT count(*)::int FROM bot_exchanges be JOIN bots b USING (bot_id) WHERE b.uid = $1) AS links`,
    [uid],
  );
  return rows[0]!;
}

describe('orm demo seed', () => {
  it('creates three bots with strategies, feeds and exchange accounts, and changes nothing on a second run', async () => {
    const owner = await createTestUser(h, { role: 'admin' });
    const first = await loadDemo(h.db, owner.uid);
    expect(first.botsCreated).toBe(3);
    const counts = await countOwned(owner.uid);
    expect(counts).toEqual({ bots: 3, strategies: 3, feeds: 4, accounts: 4, links: 3 });
    const second = await loadDemo(h.db, owner.uid);
    expect(second).toMatchObject({ botsCreated: 0, botsExisting: 3 });
    expect(await countOwned(owner.uid)).toEqual(counts);

    // The owner is an admin, who sees every bot: filter to theirs.
    const bots = (await call(h, owner, 'GET', `/bots?uid=${owner.uid}`)).json();
    const kraken = bots.find((b: { name: string }) => b.name === 'demo_kraken_trend');
    const detail = (await call(h, owner, 'GET', `/bots/${kraken.bot_id}`)).json();
    expect(detail.exchanges).toEqual([expect.objectContaining({ exchange_name: 'kraken', name: 'demo' })]);
    expect(detail.strategies[0]).toMatchObject({ cat_name: 'trading101', params: { rsi_period: '14' } });
    expect(detail.strategies[0].feed_list.map((f: { symbol: string }) => f.symbol)).toEqual(['BTC/USDC', 'BTC/USDC']);
  });

  it('runs as `npm run seed:demo` against DATABASE_URL, creating the admin that owns the bots', async () => {
    const { url, drop } = await freshDatabaseUrl('ormseed');
    try {
      const env = { ...process.env, ...ORM_TEST_ENV, DATABASE_URL: url, ADMIN_MAIL: uniqueMail('seedadmin'), ADMIN_PASSWORD: 'seed-admin-pass', LOG_LEVEL: 'info' };
      for (let run = 0; run < 2; run++) {
        const result = spawnSync(process.execPath, ['upstreams/orm/seed/demo.ts'], { env, encoding: 'utf8', timeout: 60_000 });
        expect(result.status, result.stdout + result.stderr).toBe(0);
        expect(result.stdout).toContain(run === 0 ? '"botsCreated":3' : '"botsExisting":3');
      }
    } finally {
      await drop();
    }
  });
});
