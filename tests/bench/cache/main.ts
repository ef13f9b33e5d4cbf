// Cache WebSocket benchmark (not part of the test run): N authenticated
// WebSockets subscribed to one ticker; one tick written to Redis in fullon's
// layout (hset tickers:{exchange} + publish ticker_updates:{exchange}:{symbol})
// must reach all of them. Rows: a bare `ws` broadcaster (anchor), the same
// behind nginx, the cache upstream directly, and gateway + cache. Reports
// p50/p99 delivery latency, the p99 ratio to the bare broadcast, and RSS per
// connection of each server process.
// Run: npx node tests/bench/cache/main.ts [--connections=5000] [--rounds=30] [--workers=4] [--only=bare,nginx,cache,gateway]
import { randomBytes, type KeyObject } from 'node:crypto';
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
import { publicJwkOf } from '../../../gateway/auth/assertion-key.ts';
import { makeTestKey } from '../../helpers/assertion.ts';
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
  /** Redis key and channel of this row's ticker (fullon's layout for the cache rows). */
  hash: string;
  symbol: string;
  channel: string;
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
  // The gateway signs assertions with its own Ed25519 key; the external cache gets the public half.
  const assertionKey = makeTestKey('bench-gateway');
  const assertionPem = assertionKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const assertionJwks = JSON.stringify({ keys: [{ ...assertionKey.jwk, kid: publicJwkOf(assertionKey.privateKey).kid }] });
  const redis = new Redis(redisUrl);
  const processes: BenchProcess[] = [];
  const fleets: Fleet[] = [];
  const results: RowResult[] = [];
  const work = await mkdtemp(join(tmpdir(), 'fullon-bench-cache-'));
  const wanted = (name: string) => !only || only.includes(name);

  try {
    const rows: Row[] = [];
    const startBare = (name: string) =>
      startListeningProcess({ name, command: process.execPath, args: [join(HERE, 'bare-server.ts')], env: { REDIS_URL: redisUrl, BENCH_CHANNEL: `${tag}:${name}` } });
    const bareRow = (name: string, url: string, backend: BenchProcess, proxy?: BenchProcess): Row => ({
      name, url, headers: async () => ({}), subscribe: null, backend, proxy, hash: `${tag}:bare-ticks`, symbol: SYMBOL, channel: `${tag}:${backend.name}`,
    });
    // Each row has its own server process (bare) or its own symbol (cache), so a
    // tick published for one row reaches only that row's sockets.
    if (wanted('bare')) {
      const bare = await startBare('bare');
      processes.push(bare);
      rows.push(bareRow('bare ws broadcast', `ws://127.0.0.1:${bare.port}/`, bare));
    }
    if (wanted('nginx')) {
      const bare = await startBare('bare-behind-nginx');
      const nginx = await startNginxWebSocketProxy(bare.port);
      processes.push(bare, nginx);
      rows.push(bareRow('bare ws behind nginx', `ws://127.0.0.1:${nginx.port}/`, bare, nginx));
    }
    const cacheRow = (name: string, url: string, symbol: string, headers: Row['headers'], backend: BenchProcess, proxy?: BenchProcess): Row => ({
      name, url, headers, backend, proxy, symbol,
      subscribe: JSON.stringify({ action: 'stream_tickers', request_id: 'bench', params: { exchange: EXCHANGE, symbols: [symbol] } }),
      hash: `${tag}:tickers:${EXCHANGE}`,
      channel: `${tag}:ticker_updates:${EXCHANGE}:${symbol}`,
    });
    if (wanted('cache') || wanted('gateway')) {
      const cache = await startListeningProcess({
        name: 'cache',
        command: process.execPath,
        args: [join(REPO_ROOT, 'upstreams', 'cache', 'main.ts')],
        env: { PORT: '0', REDIS_URL: redisUrl, CACHE_KEY_PREFIX: tag, GATEWAY_ASSERTION_JWKS: assertionJwks, LOG_LEVEL: 'info', UPSTREAM_ORM_API_URL: '' },
      });
      processes.push(cache);
      if (wanted('cache')) {
        rows.push(cacheRow('cache direct', `ws://127.0.0.1:${cache.port}/ws/tickers/{id}`, 'ETH/USDT', async () => ({ 'x-gateway-assertion': await signAssertion(assertionKey.privateKey) }), cache));
      }
      if (wanted('gateway')) {
        const gateway = await startGateway(work, cache.url, secret, assertionPem);
        processes.push(gateway);
        const token = await mintBenchToken({ secret, ...JWT });
        rows.push(cacheRow('gateway + cache', `ws://127.0.0.1:${gateway.port}/api/v1/cache/ws/tickers/{id}`, SYMBOL, async () => ({ authorization: `Bearer ${token}` }), cache, gateway));
      }
    }

    // Connect every row first (memory per connection = RSS delta while that row connects)...
    const memory: Array<{ proxy: number; backend: number }> = [];
    for (const row of rows) {
      process.stdout.write(`${row.name}: opening ${connections} connections...\n`);
      const before = { proxy: treeRssKb(row.proxy?.child.pid), backend: treeRssKb(row.backend.child.pid) };
      const fleet = await Fleet.start({ url: row.url, connections, workers, headers: await row.headers(), subscribe: row.subscribe });
      memory.push({ proxy: treeRssKb(row.proxy?.child.pid) - before.proxy, backend: treeRssKb(row.backend.child.pid) - before.backend });
      if (fleet.failed > 0) process.stdout.write(`  ${fleet.failed} connections failed (first: ${fleet.firstError})\n`);
      fleets.push(fleet);
    }

    // ...then publish round-robin across rows, so load from anything else on this
    // shared machine lands on every row alike.
    const incomplete = rows.map(() => 0);
    let round = 0;
    for (let pass = 0; pass < WARMUP_ROUNDS + rounds; pass++) {
      if (pass === WARMUP_ROUNDS) await Promise.all(fleets.map((fleet) => fleet.collect())); // drop warm-up samples
      for (const [index, row] of rows.entries()) {
        round++;
        const publish = async () => {
          const json = JSON.stringify({ symbol: row.symbol, exchange: EXCHANGE, price: round, volume: 1, time: (performance.timeOrigin + performance.now()) / 1000, bid: round, ask: round, last: round });
          // fullon's write: the hash field, then the channel.
          await redis.multi().hset(row.hash, row.symbol, json).publish(row.channel, json).exec();
        };
        if (!(await fleets[index]!.round(round, publish))) incomplete[index]!++;
        await new Promise((done) => setTimeout(done, ROUND_GAP_MS));
      }
    }

    for (const [index, row] of rows.entries()) {
      const fleet = fleets[index]!;
      const latencies = (await fleet.collect()).sort((a, b) => a - b);
      const perConnection = (delta: number) => (fleet.open > 0 ? delta / fleet.open : 0);
      results.push({
        name: row.name,
        open: fleet.open,
        failed: fleet.failed,
        deliveries: latencies.length,
        incompleteRounds: incomplete[index]!,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        max: latencies.at(-1) ?? Number.NaN,
        proxyKbPerConnection: row.proxy ? perConnection(memory[index]!.proxy) : null,
        backendKbPerConnection: perConnection(memory[index]!.backend),
        proxyName: row.proxy?.name ?? null,
        backendName: row.backend.name,
      });
    }

    const report = renderReport(results, { connections, rounds, workers, machine: formatMachine(machine) });
    process.stdout.write(`\n${report}\n`);
    const file = await saveResults('cache', { machine, connections, rounds, workers, results });
    process.stdout.write(`raw results: ${file}\n`);
    return 0;
  } finally {
    await Promise.all(fleets.map((fleet) => fleet.close().catch(() => {})));
    await Promise.all(processes.reverse().map((child) => child.stop()));
    await redis.del(`${tag}:tickers:${EXCHANGE}`, `${tag}:bare-ticks`).catch(() => {});
    redis.disconnect();
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** An assertion as the gateway would sign it (for the cache-direct row). */
function signAssertion(key: KeyObject): Promise<string> {
  return new SignJWT({ email: 'bench@fullon.test', role: 'user', scopes: [], auth_method: 'jwt' })
    .setProtectedHeader({ alg: 'EdDSA', kid: publicJwkOf(key).kid })
    .setSubject('4242')
    .setIssuer('fullon-gateway')
    .setAudience('cache')
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key);
}

async function startGateway(work: string, cacheUrl: string, secret: string, assertionPem: string): Promise<BenchProcess> {
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
      GATEWAY_ASSERTION_PRIVATE_KEY: assertionPem,
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
