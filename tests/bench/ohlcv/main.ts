// ohlcv benchmark (not part of the test run): one year of 1-minute candles for
// one symbol ingested through the upstream's HTTP API in 10 000-row batches,
// then latest 5000 x 1h and a full-year 1d range, on Postgres and on PGlite.
// Batches are sent by --concurrency clients at once (default 2, as two collector
// connections would), so parsing one batch overlaps writing another.
// Run: npx node tests/bench/ohlcv/main.ts [--minutes N] [--stores postgres,pglite] [--concurrency C]
import { cpus, loadavg } from 'node:os';
import { startProcess } from '../../helpers/processes.ts';
import { TEST_ASSERTION_ENV, signTestAssertion } from '../../helpers/assertion.ts';
import { YEAR_MINUTES, YEAR_START, buildBatches } from './data.ts';
import { createPgliteStore, createPostgresStore, type BenchStore } from './stores.ts';

const QUERY_RUNS = 21;
const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1] ?? '']));
const minutes = Number(args.get('--minutes') ?? YEAR_MINUTES);
const storeNames = (args.get('--stores') ?? 'postgres,pglite').split(',');
const concurrency = Math.max(1, Number(args.get('--concurrency') ?? 2));

interface Result { store: string; rows: number; ingestS: number; rate: number; latestP50: number; yearP50: number; latestCount: number; yearCount: number }

async function authHeaders(): Promise<Record<string, string>> {
  return { 'x-gateway-assertion': await signTestAssertion('ohlcv_api', { userId: 1, role: 'admin', authMethod: 'gateway' }) };
}

async function benchStore(store: BenchStore, bodies: string[]): Promise<Result> {
  const upstream = await startProcess('upstreams/ohlcv/main.ts', { ...store.env, ...TEST_ASSERTION_ENV, LOG_LEVEL: 'info' }, 120_000);
  try {
    const base = `${upstream.url}`;
    const started = performance.now();
    let nextBatch = 0;
    const sender = async () => {
      while (nextBatch < bodies.length) {
        const body = bodies[nextBatch++]!;
        const response = await fetch(`${base}/candles/bench/BTC%2FUSDC`, { method: 'POST', body, headers: { ...(await authHeaders()), 'content-type': 'application/json' } });
        if (response.status !== 200) throw new Error(`ingest failed: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, sender));
    const ingestS = (performance.now() - started) / 1000;
    const end = new Date(YEAR_START + minutes * 60_000 - 1).toISOString();
    const latest = await timeQuery(`${base}/candles/bench/BTC%2FUSDC/1h?limit=5000`);
    const year = await timeQuery(`${base}/candles/bench/BTC%2FUSDC/1d/range?start_time=${new Date(YEAR_START).toISOString()}&end_time=${end}`);
    return { store: store.name, rows: minutes, ingestS, rate: minutes / ingestS, latestP50: latest.p50, yearP50: year.p50, latestCount: latest.count, yearCount: year.count };
  } finally {
    await upstream.stop();
  }
}

async function timeQuery(url: string): Promise<{ p50: number; count: number }> {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < QUERY_RUNS + 2; i++) {
    const headers = await authHeaders();
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = (await response.json()) as { count: number };
    if (i >= 2) times.push(performance.now() - started); // two warm-up runs
    count = body.count;
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, count };
}

const bodies = buildBatches(10_000, minutes);
const results: Result[] = [];
for (const name of storeNames) {
  const store = name === 'pglite' ? await createPgliteStore() : await createPostgresStore();
  try {
    console.error(`benchmarking ${name} (${minutes} candles in ${bodies.length} batches)...`);
    results.push(await benchStore(store, bodies));
  } finally {
    await store.drop();
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
console.log(`\nohlcv benchmark — ${new Date().toISOString()} — ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), Node ${process.version}, load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
console.log(`10 000-row batches, ${concurrency} concurrent client(s); query p50 over ${QUERY_RUNS} runs after 2 warm-ups, through HTTP`);
console.log('| store | candles | ingest time (s) | ingest rate (candles/s) | latest 5000 x 1h p50 (ms) | full-year 1d range p50 (ms) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.store} | ${r.rows} | ${fmt(r.ingestS, 2)} | ${Math.round(r.rate)} | ${fmt(r.latestP50)} (${r.latestCount} candles) | ${fmt(r.yearP50)} (${r.yearCount} candles) |`);
}
