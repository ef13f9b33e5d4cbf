// An exchange session whose first market load fails (the exchange down or slow when
// the collector starts) must load the markets again on the next attempt. ccxt keeps
// a failed loadMarkets() promise and hands the same rejection to every later plain
// call, so without a reload the collector stayed in backoff until it was restarted.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backoff } from '../../../../upstreams/collectors/common/backoff.ts';
import { ExchangeSession } from '../../../../upstreams/collectors/common/exchange-session.ts';
import { CollectorStatus } from '../../../../upstreams/collectors/common/status.ts';
import { startFakeExchange, type FakeExchange } from '../../../../upstreams/collectors/fake-exchange/server.ts';

let fake: FakeExchange;

beforeAll(async () => {
  fake = await startFakeExchange({ pairs: 4 });
});
afterAll(async () => {
  await fake?.close();
});

function session(): ExchangeSession {
  const status = new CollectorStatus('ohlcv', pino({ level: 'silent' }));
  return new ExchangeSession('kraken', { urls: { kraken: fake.url }, timeoutMs: 2_000, rateLimitMs: 1 }, status, new Backoff(10, 50));
}

describe('ExchangeSession', () => {
  it.each(['503', 'reset'] as const)('opens on the next attempt after the first market load failed (%s)', async (mode) => {
    const exchange = session();
    try {
      fake.fault(mode, 1, '/0/public/');
      const failed = await exchange.open();
      expect(failed.ready).toBe(false);
      expect(failed).toMatchObject({ retryInMs: expect.any(Number) });
      const opened = await exchange.open();
      expect(opened.ready).toBe(true);
      expect(exchange.lists('BTC/USDC')).toBe(true);
    } finally {
      await exchange.close();
    }
  });

  it('keeps failing while the exchange keeps failing, and opens once it answers', async () => {
    const exchange = session();
    try {
      fake.fault('500', 3, '/0/public/');
      for (let attempt = 0; attempt < 3; attempt++) expect((await exchange.open()).ready).toBe(false);
      expect((await exchange.open()).ready).toBe(true);
    } finally {
      await exchange.close();
    }
  });
});
