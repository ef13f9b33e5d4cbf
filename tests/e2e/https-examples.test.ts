// The HTTPS examples (examples/https.ts) against a throwaway stack serving HTTPS
// with the pair the example's own `make-pair` step wrote, backed by real
// Postgres (fresh databases) and this worker's Redis db.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../examples/lib/stack.ts';
import { discoverExamples, HTTPS_EXAMPLES, runExample, startHttpsStack } from '../../examples/run-all.ts';
import { freshDatabaseUrl, workerRedis } from '../helpers/isolation.ts';

describe('examples over HTTPS', () => {
  let stack: Stack;
  const drops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const orm = await freshDatabaseUrl('e2e_tls_orm');
    const ohlcv = await freshDatabaseUrl('e2e_tls_ohlcv');
    drops.push(orm.drop, ohlcv.drop);
    stack = await startHttpsStack({
      env: { DATABASE_URL: orm.url, OHLCV_DATABASE_URL: ohlcv.url, REDIS_URL: workerRedis().url, CACHE_KEY_PREFIX: `e2e_tls_${process.pid}:`, LOG_LEVEL: 'info' },
    });
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    for (const drop of drops) await drop().catch(() => {});
  }, 60_000);

  it('serves HTTPS at an https:// URL', () => {
    expect(stack.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(HTTPS_EXAMPLES.every((name) => discoverExamples().includes(name))).toBe(true);
  });

  it.each(HTTPS_EXAMPLES)('%s passes', async (name) => {
    const result = await runExample(name, stack);
    if (!result.ok) {
      const log = stack.output.slice(-40).join('\n');
      expect.fail(`examples/${name}.ts exited with ${result.code}:\n${result.output}\n--- gateway log (last lines) ---\n${log}`);
    }
  }, 130_000);
});
