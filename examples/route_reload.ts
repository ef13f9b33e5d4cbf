// Example: hot reload of routes.yaml. Adds a route to a stub upstream by editing
// the file the gateway runs with, sees it served; adds an `auth: public` route to
// ohlcv_api and reads /timeframes through it without credentials (the gateway
// sends an anonymous assertion; writes there stay 401); writes an invalid file, sees it
// refused (check prints file:line, the gateway keeps the old routes); restores
// the original file. The runner passes ROUTES_FILE (a temp copy) and STUB_UPSTREAM_URL.
// Run: ROUTES_FILE=... STUB_UPSTREAM_URL=... GATEWAY_URL=... npx node examples/route_reload.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseDocument } from 'yaml';
import { fetchJson, waitFor } from './lib/client.ts';

const ROUTES_FILE = process.env.ROUTES_FILE;
const STUB_UPSTREAM_URL = process.env.STUB_UPSTREAM_URL;

async function main(): Promise<void> {
  assert.ok(ROUTES_FILE, 'set ROUTES_FILE to the routes.yaml the gateway runs with (the runner does)');
  assert.ok(STUB_UPSTREAM_URL, 'set STUB_UPSTREAM_URL to an upstream the new route can point at (the runner does)');
  const original = await readFile(ROUTES_FILE, 'utf8');
  const id = randomBytes(3).toString('hex');
  const prefix = `/examples/reload-${id}`;
  const upstream = `example_stub_${id}`;
  const status = async (path: string) => (await fetchJson(path)).status;

  try {
    // 1. The route does not exist yet.
    assert.equal(await status(`${prefix}/hello`), 404);

    // 2. Add an upstream and a public route by editing the file (comments survive).
    const doc = parseDocument(original);
    doc.setIn(['upstreams', upstream], doc.createNode({ url: STUB_UPSTREAM_URL }));
    doc.addIn(['routes'], doc.createNode({ prefix, upstream, rewrite: '', auth: 'public' }));
    doc.addIn(['routes'], doc.createNode({ prefix: `${prefix}-ohlcv`, upstream: 'ohlcv_api', rewrite: '', auth: 'public' }));
    const withRoute = doc.toString();
    await writeFile(ROUTES_FILE, withRoute);
    await waitFor('the new route to be served', async () => (await status(`${prefix}/hello`)) === 200);
    const served = await fetchJson(`${prefix}/hello?x=1`);
    assert.deepEqual(served.body, { stub: true, method: 'GET', url: '/hello?x=1' });
    console.log(`added ${prefix} → ${STUB_UPSTREAM_URL}: served`);
    // A public route to a built-in upstream: market data reads need no credentials,
    // anything else there still needs a signed-in user.
    const timeframes = await fetchJson<{ timeframes: string[] }>(`${prefix}-ohlcv/timeframes`);
    assert.equal(timeframes.status, 200, JSON.stringify(timeframes.body));
    assert.ok(timeframes.body.timeframes.includes('1m'));
    const ingest = await fetchJson(`${prefix}-ohlcv/candles/kraken/BTC%2FUSDT/1m`, { method: 'POST', body: { candles: [] } });
    assert.equal(ingest.status, 401);
    console.log(`public ${prefix}-ohlcv/timeframes: 200 without a token; POST ingest there: 401 ${JSON.stringify(ingest.body)}`);

    // 3. An invalid file: it also drops our route, so applying it by mistake would show.
    const broken = parseDocument(original);
    broken.addIn(['routes'], broken.createNode({ prefix: `/examples/broken-${id}`, upstream: 'no-such-upstream' }));
    const invalid = broken.toString();
    const failuresBefore = (await reloadStats()).failures;
    await writeFile(ROUTES_FILE, invalid);
    const check = spawnSync(process.execPath, ['gateway/cli/check.ts', ROUTES_FILE], { encoding: 'utf8' });
    assert.equal(check.status, 1, check.stdout);
    assert.match(check.stdout, new RegExp(`${ROUTES_FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: routes\\[\\d+\\]\\.upstream: unknown upstream "no-such-upstream"`));
    console.log(`check refuses the invalid file:\n  ${check.stdout.split('\n')[0]}`);
    const refused = await waitForRefusal(failuresBefore);
    // Public health names where the problem is (never the values found there).
    assert.match(refused.last_error ?? '', new RegExp(`${basename(ROUTES_FILE).replace('.', '\\.')}:\\d+:\\d+: routes\\[\\d+\\]\\.upstream`));
    console.log(`/health/monitor reports: ${refused.last_error}`);
    assert.equal(await status(`${prefix}/hello`), 200, 'the old route must still be served after a refused reload');
    assert.equal(await status(`/examples/broken-${id}/x`), 404);
    console.log('the gateway refused it and still serves the old routes');
  } finally {
    // 4. Restore the original file; our route goes away again.
    await writeFile(ROUTES_FILE, original);
  }
  await waitFor('the original routes to be back', async () => (await status(`${prefix}/hello`)) === 404);
  console.log('restored the original routes.yaml');
}

interface ReloadStats { failures: number; last_error: string | null }

/** Reload stats as ops see them in /health/monitor. */
async function reloadStats(): Promise<ReloadStats> {
  const monitor = await fetchJson<{ reload: ReloadStats }>('/health/monitor');
  assert.equal(monitor.status, 200, 'GET /health/monitor');
  return monitor.body.reload;
}

async function waitForRefusal(before: number): Promise<ReloadStats> {
  await waitFor('the gateway to refuse the invalid file', async () => (await reloadStats()).failures > before);
  return reloadStats();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
