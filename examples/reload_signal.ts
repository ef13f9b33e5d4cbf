// Example: which process to signal, and a reload the way an operator does it
// (docs/operations.md). The gateway wrote its pid to DATA_DIR/gateway.pid;
// `npm run reload` (gateway/cli/reload.ts) sends that pid SIGHUP; /health/monitor
// counts the reload. A pid file naming no gateway is refused, never signalled.
// Run: GATEWAY_URL=http://127.0.0.1:8000 DATA_DIR=./data npx node examples/reload_signal.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchJson } from './lib/client.ts';

const DATA_DIR = process.env.DATA_DIR ?? './data';

function npmRunReload(dataDir: string): { status: number | null; output: string } {
  // What `npm run reload` runs, with DATA_DIR as the gateway has it and no .env.
  const result = spawnSync(process.execPath, ['gateway/cli/reload.ts'], { env: { ...process.env, DATA_DIR: dataDir, ENV_FILE: '' }, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function reloadCount(): Promise<number> {
  const monitor = await fetchJson<{ reload: { count: number } }>('/health/monitor');
  assert.equal(monitor.status, 200);
  return monitor.body.reload.count;
}

async function main(): Promise<void> {
  const pid = Number(readFileSync(join(DATA_DIR, 'gateway.pid'), 'utf8').trim());
  assert.ok(Number.isInteger(pid) && pid > 1, 'DATA_DIR/gateway.pid holds the gateway pid');
  process.kill(pid, 0); // it is running (throws otherwise)

  const before = await reloadCount();
  const reload = npmRunReload(DATA_DIR);
  assert.equal(reload.status, 0, reload.output);
  assert.match(reload.output, new RegExp(`reload sent to the gateway \\(pid ${pid}\\)`));
  let after = await reloadCount();
  for (let i = 0; i < 40 && after <= before; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await reloadCount();
  }
  assert.ok(after > before, `/health/monitor counted the reload (${before} → ${after})`);
  assert.equal((await fetchJson('/health/check')).status, 200, 'still serving');

  // A stale pid file (here: a pid that is not a gateway) is refused, not signalled.
  const stale = mkdtempSync(join(tmpdir(), 'reload-example-'));
  try {
    writeFileSync(join(stale, 'gateway.pid'), `${process.pid}\n`);
    const refused = npmRunReload(stale);
    assert.equal(refused.status, 1);
    assert.match(refused.output, /is not a running gateway/);
  } finally {
    rmSync(stale, { recursive: true, force: true });
  }
  console.log('reload_signal: ok');
}

await main();
