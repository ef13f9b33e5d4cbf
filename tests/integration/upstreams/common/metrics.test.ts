// Each upstream's GET /metrics (upstreams/common/metrics.ts): who may scrape it
// (the same rule as the gateway's /metrics, plus the gateway's own identity),
// and what each exports — the orm's and ohlcv's database pool on real Postgres,
// the cache's store and WebSockets, a collector's lag and errors — with bounded
// labels only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheApp } from '../../../../upstreams/cache/app.ts';
import { readCacheSettings } from '../../../../upstreams/cache/settings.ts';
import { registerCollectorMetrics } from '../../../../upstreams/collectors/common/metrics.ts';
import { CollectorStatus } from '../../../../upstreams/collectors/common/status.ts';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import { createUpstreamApp } from '../../../../upstreams/common/server.ts';
import { createOhlcvApp } from '../../../../upstreams/ohlcv/app.ts';
import { createOrmApp } from '../../../../upstreams/orm/app.ts';
import { signTestAssertion, TEST_ASSERTION_ENV, type TestIdentity } from '../../../helpers/assertion.ts';
import { freshDatabaseUrl } from '../../../helpers/isolation.ts';

const logger = pino({ level: 'silent' });
const apps = new Map<string, FastifyInstance>();
const cleanups: Array<() => Promise<void> | void> = [];
let status: CollectorStatus;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'upstream-metrics-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { ...TEST_ASSERTION_ENV, DATA_DIR: dataDir, BCRYPT_ROUNDS: '4' };
  const open = async (purpose: string): Promise<Db> => {
    const { url, drop } = await freshDatabaseUrl(purpose);
    const db = await openDatabase({ url, name: purpose });
    cleanups.push(drop, () => db.close());
    return db;
  };
  const orm = createOrmApp({ db: await open('metrics_orm'), env, logger });
  const ohlcv = (await createOhlcvApp({ db: await open('metrics_ohlcv'), env, logger })).app;
  const cache = (await createCacheApp({ settings: readCacheSettings({}), logger, env })).app;
  status = new CollectorStatus('ticker', logger);
  const ticker = createUpstreamApp({ name: 'ticker', logger, env });
  registerCollectorMetrics(ticker, { service: 'ticker', kind: 'ticker', status });
  for (const [name, app] of [['orm_api', orm], ['ohlcv_api', ohlcv], ['cache_api', cache], ['ticker', ticker]] as const) {
    apps.set(name, app);
    cleanups.push(() => app.close());
  }
}, 60_000);
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function scrape(service: string, identity: TestIdentity | null) {
  const headers = identity ? { 'x-gateway-assertion': await signTestAssertion(service, identity) } : {};
  return apps.get(service)!.inject({ method: 'GET', url: '/metrics', headers });
}

const SERVICES = ['orm_api', 'ohlcv_api', 'cache_api', 'ticker'];

describe.each(SERVICES)('GET /metrics on %s', (service) => {
  it('is refused without a gateway assertion (401) and to a plain user (403)', async () => {
    expect((await scrape(service, null)).statusCode).toBe(401);
    const user = await scrape(service, { userId: 7, role: 'user' });
    expect(user.statusCode).toBe(403);
    expect(user.json()).toEqual({ detail: 'Admin access or an API key with the metrics:read scope required' });
    // A login token's scopes do not count: only an API key's come from the orm's allowlist.
    expect((await scrape(service, { userId: 7, role: 'user', scopes: ['metrics:read'], authMethod: 'jwt' })).statusCode).toBe(403);
  });

  it.each([
    ['an admin', { userId: 1, role: 'admin' }],
    ['an API key with metrics:read', { userId: 7, role: 'user', scopes: ['metrics:read'], authMethod: 'api_key' }],
    ['the gateway itself', { userId: 0, role: 'admin', authMethod: 'gateway' }],
  ] as Array<[string, TestIdentity]>)('answers %s with the Prometheus text, every series labelled with the service', async (_name, identity) => {
    const response = await scrape(service, identity);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers['cache-control']).toBe('no-store');
    const samples = response.body.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(samples.length).toBeGreaterThan(0);
    for (const line of samples) expect(line).toContain(`service="${service}"`);
  });
});

const adminText = async (service: string) => (await scrape(service, { userId: 1, role: 'admin' })).body;

describe('what each upstream exports', () => {
  it('orm_api and ohlcv_api: their Postgres pool (total, idle, waiting)', async () => {
    for (const service of ['orm_api', 'ohlcv_api']) {
      const text = await adminText(service);
      for (const state of ['total', 'idle', 'waiting']) expect(text).toMatch(new RegExp(`db_pool_connections\\{kind="postgres",state="${state}",service="${service}"\\} \\d+`));
    }
    expect(await adminText('ohlcv_api')).toMatch(/ohlcv_live_sockets\{service="ohlcv_api"\} 0/);
    expect(await adminText('ohlcv_api')).toMatch(/ohlcv_live_subscriptions\{service="ohlcv_api"\} 0/);
  });

  it('cache_api: the store (up, command errors) and its WebSockets and stream sources', async () => {
    const text = await adminText('cache_api');
    expect(text).toContain('cache_store_up{kind="memory",service="cache_api"} 1');
    expect(text).toContain('cache_store_command_errors_total{kind="memory",service="cache_api"} 0');
    expect(text).toContain('cache_websocket_connections{service="cache_api"} 0');
    expect(text).toContain('cache_stream_sources{service="cache_api"} 0');
  });

  it('a collector: lag per exchange and symbol, errors by source, accounts by exchange, skipped targets left out', async () => {
    status.following = 3;
    status.ok('kraken BTC/USDC');
    status.fail('kraken ETH/USD', new Error('timeout'), 1000);
    status.fail('kraken ETH/USD', new Error('timeout'), 1000);
    status.fail('cache_api', new Error('down'), 1000);
    status.skip('kraken NOPE/USD', 'not listed');
    status.setExchange('account 12', 'kraken');
    status.fail('account 12', new Error('bad key'), 1000);
    const text = await adminText('ticker');
    expect(text).toContain('collector_following{service="ticker",kind="ticker"} 3');
    expect(text).toMatch(/collector_lag_seconds\{exchange="kraken",symbol="BTC\/USDC",service="ticker",kind="ticker"\} \d/);
    expect(text).toMatch(/collector_lag_seconds\{exchange="kraken",symbol="ETH\/USD",service="ticker",kind="ticker"\} \d/);
    expect(text).toMatch(/collector_lag_seconds\{exchange="kraken",symbol="",service="ticker",kind="ticker"\} \d/);
    expect(text).not.toContain('NOPE/USD');
    expect(text).toContain('collector_errors_total{source="kraken",service="ticker",kind="ticker"} 3');
    expect(text).toContain('collector_errors_total{source="cache_api",service="ticker",kind="ticker"} 1');
    // The account's id is never a label.
    const samples = text.split('\n').filter((line) => line && !line.startsWith('#'));
    for (const line of samples) expect(line).not.toMatch(/account|"12"/);
    // Counters only move forward between scrapes.
    status.fail('cache_api', new Error('down'), 1000);
    expect(await adminText('ticker')).toContain('collector_errors_total{source="cache_api",service="ticker",kind="ticker"} 2');
  });
});
