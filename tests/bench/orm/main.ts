// `npm run bench -- orm`: the query plan time of every orm analytics route on
// 100 000 trades of one user (70 000 live, 30 000 dry, over 350 days, plus 20 000
// orders), with another user's 100 000 live and 100 000 dry trades and 100 000
// orders beside them, so a plan that ignored the per-user indexes would show. It runs each
// route through the real app and, for every SQL statement the route sends, runs
// EXPLAIN (ANALYZE, FORMAT JSON) of that statement with its parameters: the
// figure is the sum of the statements' "Execution Time" (planning excluded), and
// the plan says whether trades or dry_trades were read by a sequential scan.
// Needs Postgres at TEST_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres);
// makes and drops its own database.
import { openDatabase, type Db, type Queryable } from '../../../upstreams/common/db.ts';
import { createLogger } from '../../../upstreams/common/logger.ts';
import { createOrmApp } from '../../../upstreams/orm/app.ts';
import { migrateOrm } from '../../../upstreams/orm/migrations/index.ts';
import { TEST_ASSERTION_ENV, signTestAssertion } from '../../helpers/assertion.ts';
import { freshDatabaseUrl } from '../../helpers/isolation.ts';

const ROUTES = [
  '/trades/stats', '/trades/stats/overall', '/trades/summary', '/trades/performance', '/trades/symbol-performance',
  '/trades/by-bot', '/trades/by-symbol', '/trades/history?limit=100', '/trades/live?limit=100',
  '/orders/stats', '/orders/history?limit=100', '/bots/{bot}/stats',
  '/views/trading-overview', '/views/performance-metrics', '/views/user-summary', '/views/portfolio-stats', '/views/risk-metrics',
];

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] }

function seqScans(node: PlanNode, found = new Set<string>()): Set<string> {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && /trades|orders/.test(node['Relation Name'])) found.add(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, found);
  return found;
}

async function seed(db: Db): Promise<{ uid: number; botId: number }> {
  const users = await db.query<{ uid: number }>(
    "INSERT INTO users (mail, password, role) VALUES ('bench-a@example.com', 'x', 'user'), ('bench-b@example.com', 'x', 'user') RETURNING uid",
  );
  const [a, b] = users.rows.map((row) => row.uid) as [number, number];
  for (const uid of [a, b]) await db.query("INSERT INTO bots (uid, name) SELECT $1, 'bot' || g FROM generate_series(1, 4) g", [uid]);
  const trades = (uid: number, table: 'trades' | 'dry_trades', count: number) => db.query(
    `INSERT INTO ${table} (uid, bot_id, symbol, order_type, side, volume, price, cost, fee, roi, ${table === 'trades' ? 'time' : 'timestamp'})
     SELECT $1, (SELECT array_agg(bot_id ORDER BY bot_id) FROM bots WHERE uid = $1)[1 + g % 4], 'SYM' || (g % 10) || '/USDC', 'market',
            CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END, 1 + g % 7, 100 + g % 50, (1 + g % 7) * (100 + g % 50), 0.1,
            CASE WHEN g % 3 = 0 THEN (g % 11) - 5 ELSE NULL END, now() - g * ($2::float8 * interval '1 second')
     FROM generate_series(1, $3) g`,
    [uid, (350 * 86_400) / count, count],
  );
  await trades(a, 'trades', 70_000);
  await trades(a, 'dry_trades', 30_000);
  await trades(b, 'trades', 100_000);
  await trades(b, 'dry_trades', 100_000);
  for (const [uid, count] of [[a, 20_000], [b, 100_000]] as const) await db.query(
    `INSERT INTO orders (uid, bot_id, symbol, order_type, side, volume, status, timestamp)
     SELECT $1, (SELECT min(bot_id) FROM bots WHERE uid = $1), 'SYM' || (g % 10) || '/USDC', 'limit', 'buy', 1,
            (ARRAY['New', 'Filled', 'Cancelled', 'Open'])[1 + g % 4], now() - g * interval '25 minutes'
     FROM generate_series(1, $2) g`,
    [uid, count],
  );
  await db.exec('ANALYZE');
  const { rows } = await db.query<{ bot_id: number }>('SELECT min(bot_id) AS bot_id FROM bots WHERE uid = $1', [a]);
  return { uid: a, botId: rows[0]!.bot_id };
}

export async function main(): Promise<number> {
  const { url, drop } = await freshDatabaseUrl('bench_orm');
  const db = await openDatabase({ url, name: 'orm' });
  try {
    await migrateOrm(db);
    const { uid, botId } = await seed(db);
    let recording: Array<{ ms: number; seq: Set<string> }> | null = null;
    const explaining: Db = {
      ...db,
      async query<R>(sql: string, params?: unknown[]) {
        if (recording && /^\s*(SELECT|WITH)\b/i.test(sql)) {
          const { rows } = await db.query<{ 'QUERY PLAN': Array<{ 'Execution Time': number; Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
          const plan = rows[0]!['QUERY PLAN'][0]!;
          recording.push({ ms: plan['Execution Time'], seq: seqScans(plan.Plan) });
        }
        return db.query<R>(sql, params);
      },
      transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction(fn),
    };
    const app = createOrmApp({ db: explaining, env: { ...TEST_ASSERTION_ENV, LOG_LEVEL: 'silent' }, logger: createLogger('orm_api', 'silent') });
    await app.ready();
    const assertion = await signTestAssertion('orm_api', { userId: uid, email: 'bench-a@example.com', role: 'user' });
    process.stdout.write('100 000 trades of one user (70 000 live + 30 000 dry, 350 days) and 20 000 orders; another user has 200 000 trades and 100 000 orders; default range (365 days)\n\n');
    process.stdout.write(`${'route'.padEnd(34)} ${'statements'.padStart(10)} ${'EXPLAIN ANALYZE ms'.padStart(19)}  seq scans\n`);
    for (const route of ROUTES) {
      const path = route.replace('{bot}', String(botId));
      await app.inject({ method: 'GET', url: path, headers: { 'x-gateway-assertion': assertion } }); // warm the cache
      recording = [];
      const response = await app.inject({ method: 'GET', url: path, headers: { 'x-gateway-assertion': assertion } });
      const measured = recording;
      recording = null;
      if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}: ${response.body}`);
      const ms = measured.reduce((sum, q) => sum + q.ms, 0);
      const seq = [...new Set(measured.flatMap((q) => [...q.seq]))];
      process.stdout.write(`${route.padEnd(34)} ${String(measured.length).padStart(10)} ${ms.toFixed(1).padStart(19)}  ${seq.length ? seq.join(', ') : 'none'}\n`);
    }
    await app.close();
    return 0;
  } finally {
    await db.close();
    await drop();
  }
}
