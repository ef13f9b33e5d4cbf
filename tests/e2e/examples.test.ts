// Every examples/*.ts is a contract: each runs as a subprocess against one
// throwaway stack backed by real Postgres (fresh databases) and this worker's
// Redis db. New examples are picked up automatically.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../examples/lib/stack.ts';
import { discoverExamples, HTTPS_EXAMPLES, runExample } from '../../examples/run-all.ts';
import { freshDatabaseUrl, workerRedis } from '../helpers/isolation.ts';

// The HTTPS examples run against a stack of their own (https-examples.test.ts).
const examples = discoverExamples().filter((name) => !HTTPS_EXAMPLES.includes(name));

describe('examples', () => {
  let stack: Stack;
  const drops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const orm = await freshDatabaseUrl('e2e_orm');
    const ohlcv = await freshDatabaseUrl('e2e_ohlcv');
    drops.push(orm.drop, ohlcv.drop);
    stack = await startStack({
      env: { DATABASE_URL: orm.url, OHLCV_DATABASE_URL: ohlcv.url, REDIS_URL: workerRedis().url, CACHE_KEY_PREFIX: `e2e_${process.pid}:`, LOG_LEVEL: 'info' },
    });
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    for (const drop of drops) await drop().catch(() => {});
  }, 60_000);

  it('finds the examples', () => {
    expect(examples).toContain('route_reload');
  });

  it.each(examples)('%s passes', async (name) => {
    const result = await runExample(name, stack);
    if (!result.ok) {
      const log = stack.output.slice(-40).join('\n');
      expect.fail(`examples/${name}.ts exited with ${result.code}:\n${result.output}\n--- gateway log (last lines) ---\n${log}`);
    }
  }, 130_000);
});
