// Cache WebSocket benchmark (not part of the test run): N authenticated
// WebSockets subscribed to one ticker; one tick written to Redis in fullon's
// layout (hset tickers:{exchange} + publish ticker_updates:{exchange}:{symbol})
// must reach all of them. Rows: a bare `ws` broadcaster (anchor), the same
// behind nginx, the cache upstream directly, and gateway + cache. Reports
// p50/p99 delivery latency, the p99 ratio to the bare broadcast, and RSS per
// connection of each server process.
// Run: npx node tests/bench/cache/main.ts [--connections=5000] [--rounds=30] [--workers=4] [--only=bare,nginx,cache,gateway]
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { readFlag, readNumberFlag } from '../lib/options.ts';
import { startListeningProcess, type BenchProcess } from '../lib/processes.ts';
import { saveResults } from '../lib/results.ts';
import { mintBenchToken } from '../gateway/token.ts';
import { Fleet } from './fleet.ts';
import { startNginxWebSocketProxy } from './nginx-ws.ts';
import { renderReport, type RowResult } from './report.ts';
import { treeRssKb } from './rss.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..', '..');
const EXCHANGE = 'bench';
const SYMBOL = 'BTC/USDT';
const JWT = { issuer: 'fullon-master-api', audience: 'fullon' } as const;
const WARMUP_ROUNDS = 3;
const ROUND_GAP_MS = 200;

interface Row {
  name: string;
  url: string;
  headers: () => Promise<Record<string, string>>;
  subscribe: string | null;
  proxy?: BenchProcess;
  backend: BenchProcess;
}

export async function main(args: string[] = process.argv.slice(2)): Promise<number> {
  const connections = readNumberFlag(args, 'connections', 5000, 1);
  const rounds = readNumberFlag(args, 'rounds', 30, 1);
  const workers = readNumberFlag(args, 'workers', 4, 1);
  const only = readFlag(args, 'only')?.split(',');
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const machine = describeMachine();
  const tag = `bench-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('hex');
  const redis = new Redis(redisUrl);
  const processes: BenchProcess[] = [];
  const results: RowResult[] = [];
  const work = await mkdtemp(join(tmpdir(), 'fullon-bench-cache-'));

  try {
    const bareChannel = `${tag}:bare`;
    const cacheChannel = `${tag}:ticker_updates:${EXCHANGE}:${SYMBOL}`;
    const rows: Row[] = [];
    const wanted = (name: string) => !only || only.includes(name);

    if (wanted('bare') || wanted('nginx')) {
      const bare = await startListeningProcess({ name: 'bare', command: process.execPath, args: [join(HERE, 'bare-server.ts')], env: { REDIS_URL: redisUrl, BENCH_CHANNEL: bareChannel } });
      processes.push(bare);
      if (wanted('bare')) rows.push({ name: 'bare ws broadcast', url: `ws://127.0.0.1:${bare.port}/`, headers: async () => ({}), subscribe: null, backend: bare });
      if (wanted('nginx')) {
        const nginx = await startNginxWebSocketProxy(bare.port);
        processes.push(nginx);
        rows.push({ name: 'bare ws behind nginx', url: `ws://127.0.0.1:${nginx.port}/`, headers: async () => ({}), subscribe: null, proxy: nginx, backend: bare });
      }
    }
    const subscribe = JSON.stringify({ action: 'stream_tickers', request_id: 'bench', params: { exchange: EXCHANGE, symbols: [SYMBOL] } });
    if (wanted('cache') || wanted('gateway')) {
      const cache = await startListeningProcess({
        name: 'cache',
        command: process.execPath,
        args: [join(REPO_ROOT, 'upstreams', 'cache', 'main.ts')],
        env: { PORT: '0', REDIS_URL: redisUrl, CACHE_KEY_PREFIX: tag, GATEWAY_ASSERTION_SECRET: secret, LOG_LEVEL: 'info', UPSTREAM_ORM_URL: '' },
      });
      processes.push(cache);
      if (wanted('cache')) {
        rows.push({ name: 'cache direct', url: `ws://127.0.0.1:${cache.port}/ws/tickers/bench`, headers: async () => ({ 'x-gateway-assertion': await signAssertion(secret) }), subscribe, backend: cache });
      }
      if (wanted('gateway')) {
        const gateway = await startGateway(work, cache.url, secret);
        processes.push(gateway);
        const token = await mintBenchToken({ secret, ...JWT });
        rows.push({ name: 'gateway + cache', url: `ws://127.0.0.1:${gateway.port}/api/v1/cache/ws/tickers/bench`, headers: async () => ({ authorization: `Bearer ${token}` }), subscribe, proxy: gateway, backend: cache });
      }
    }

    let round = 0;
    const publish = async () => {
      const tick = { symbol: SYMBOL, exchange: EXCHANGE, price: round, volume: 1, time: (performance.timeOrigin + performance.now()) / 1000, bid: round, ask: round, last: round };
      const json = JSON.stringify(tick);
      // fullon's write: the hash, then the channel (bare listens on its own channel).
      await redis.multi().hset(`${tag}:tickers:${EXCHANGE}`, SYMBOL, json).publish(cacheChannel, json).publish(bareChannel, json).exec();
    };

    for (const row of rows) {
      process.stdout.write(`${row.name}: opening ${connections} connections...\n`);
      const before = { proxy: treeRssKb(row.proxy?.child.pid), backend: treeRssKb(row.backend.child.pid) };
      const fleet = await Fleet.start({ url: row.url, connections, workers, headers: await row.headers(), subscribe: row.subscribe });
      const after = { proxy: treeRssKb(row.proxy?.child.pid), backend: treeRssKb(row.backend.child.pid) };
      if (fleet.failed > 0) process.stdout.write(`  ${fleet.failed} connections failed (first: ${fleet.firstError})\n`);
      let incomplete = 0;
      for (let i = 0; i < WARMUP_ROUNDS + rounds; i++) {
        round++;
        if (i === WARMUP_ROUNDS) await fleet.collect(); // drop warm-up samples
        if (!(await fleet.round(round, publish))) incomplete++;
        await new Promise((done) => setTimeout(done, ROUND_GAP_MS));
      }
      const latencies = (await fleet.collect()).sort((a, b) => a - b);
      await fleet.close();
      const perConnection = (delta: number) => (fleet.open > 0 ? delta / fleet.open : 0);
      results.push({
        name: row.name,
        open: fleet.open,
        failed: fleet.failed,
        deliveries: latencies.length,
        incompleteRounds: incomplete,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        max: latencies.at(-1) ?? Number.NaN,
        proxyKbPerConnection: row.proxy ? perConnection(after.proxy - before.proxy) : null,
        backendKbPerConnection: perConnection(after.backend - before.backend),
        proxyName: row.proxy?.name ?? null,
        backendName: row.backend.name,
      });
      process.stdout.write(`  p50 ${results.at(-1)!.p50.toFixed(2)} ms, p99 ${results.at(-1)!.p99.toFixed(2)} ms\n`);
    }

    const report = renderReport(results, { connections, rounds, workers, machine: formatMachine(machine) });
    process.stdout.write(`\n${report}\n`);
    const file = await saveResults('cache', { machine, connections, rounds, workers, results });
    process.stdout.write(`raw results: ${file}\n`);
    return 0;
  } finally {
    await Promise.all(processes.reverse().map((child) => child.stop()));
    await redis.del(`${tag}:tickers:${EXCHANGE}`).catch(() => {});
    redis.disconnect();
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** An assertion as the gateway would sign it (for the cache-direct row). */
function signAssertion(secret: string): Promise<string> {
  return new SignJWT({ email: 'bench@fullon.test', role: 'user', scopes: [], auth_method: 'jwt' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('4242')
    .setIssuer('fullon-gateway')
    .setAudience('cache')
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(new TextEncoder().encode(secret));
}

async function startGateway(work: string, cacheUrl: string, secret: string): Promise<BenchProcess> {
  const routesFile = join(work, 'routes.yaml');
  await writeFile(
    routesFile,
    `# generated by tests/bench/cache/main.ts
upstreams:
  cache:
    url: ${cacheUrl}
    health: { path: /health, interval: 10s, timeout: 2s }
services: {}
routes:
  - prefix: /api/v1/cache
    upstream: cache
    rewrite: ""
    auth: user
    websocket: true
    body_limit: 1mb
`,
  );
  const logs = join(work, 'logs');
  await mkdir(logs, { recursive: true });
  return startListeningProcess({
    name: 'gateway',
    command: process.execPath,
    args: [join(REPO_ROOT, 'gateway', 'main.ts')],
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      ROUTES_FILE: routesFile,
      DATA_DIR: join(work, 'data'),
      LOG_LEVEL: 'info',
      JWT_SECRET_KEY: secret,
      JWT_ISSUER: JWT.issuer,
      JWT_AUDIENCE: JWT.audience,
      GATEWAY_ASSERTION_SECRET: secret,
      NODE_ENV: 'production',
    },
    logFile: join(logs, 'gateway.log'),
    timeoutMs: 30_000,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
