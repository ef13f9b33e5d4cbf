// Collectors as real processes facing bad input and faults: an exchange id ccxt
// does not know and a symbol the exchange does not list are skipped and shown;
// 429, 5xx, garbage and hanging answers are backed off and recovered from without
// a crash; refused credentials mark that account while another goes on; the cache
// going away is waited for; start of a running collector is 409, an unknown one 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FAKE_ACCOUNT } from '../../../../upstreams/collectors/fake-exchange/server.ts';
import { catalogId, startCollectorStack, type CollectorStack } from './harness.ts';

describe('collectors under faults', () => {
  let s: CollectorStack;
  let kraken: number;

  beforeAll(async () => {
    // REST polling here (the faults are injected into REST answers); the WebSocket path is in stores-down.test.ts.
    s = await startCollectorStack({ COLLECTOR_USE_WEBSOCKET: 'false', EXCHANGE_TIMEOUT_MS: '500', COLLECTOR_BACKOFF_INITIAL_MS: '100', COLLECTOR_BACKOFF_MAX_MS: '500', COLLECTOR_REFRESH_MS: '300', ACCOUNT_POLL_MIN_MS: '100', ACCOUNT_POLL_MAX_MS: '400' });
    kraken = await catalogId(s, 'kraken');
    // A symbol the fake kraken does not list, next to BTC/USDC (catalogue) and ETH/USD.
    for (const symbol of ['NOPE/USD', 'ETH/USD']) expect([200, 201]).toContain((await s.post('/api/v1/orm/symbols', { symbol, cat_ex_id: kraken })).status);
  }, 150_000);
  afterAll(async () => {
    await s?.close();
  }, 60_000);

  const target = async (service: string, name: string) => (await s.status(service)).collector?.targets?.[name];
  /** Each test starts what it needs: no test depends on another having run. */
  const ensureRunning = async (service: string) => {
    if ((await s.status(service)).status === 'stopped') expect((await s.post(`/api/v1/services/${service}/start`)).status).toBe(200);
  };

  it('answers 404 for an unknown service and 409 for the start of a running collector', async () => {
    expect(await s.post('/api/v1/services/no_such_collector/start')).toEqual({ status: 404, body: { detail: "Service 'no_such_collector' not found" } });
    await ensureRunning('ticker');
    const again = await s.post('/api/v1/services/ticker/start');
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already running/);
  });

  it('skips an unknown exchange id and an unlisted symbol, and collects the others', async () => {
    await ensureRunning('ticker');
    const bitmex = await s.until('bitmex reported', () => target('ticker', 'bitmex'));
    expect(bitmex).toMatchObject({ state: 'skipped', error: expect.stringContaining('unknown exchange id "bitmex"') });
    expect(await s.until('NOPE/USD reported', () => target('ticker', 'kraken NOPE/USD'))).toMatchObject({ state: 'skipped', error: 'NOPE/USD is not listed by kraken' });
    await s.until('ETH/USD collected', async () => ((await target('ticker', 'kraken ETH/USD'))?.state === 'ok' ? true : undefined));
    // A symbol's target is 'ok' once its ticker is fetched (the write that follows is the
    // cache_api target's), so the cache may not have it yet at that moment: wait for it.
    const ticker = await s.until('ETH/USD in the cache', async () => {
      const answer = await s.get(`/api/v1/cache/tickers/kraken/${encodeURIComponent('ETH/USD')}`);
      return answer.status === 404 ? undefined : answer;
    });
    expect(ticker.status).toBe(200);
    expect(ticker.body.price).toBeGreaterThan(2_000);
  });

  it.each([
    ['429', 'DDoSProtection'],
    ['503', 'ExchangeNotAvailable'],
    ['garbage', 'answered no usable ticker'],
    ['timeout', 'RequestTimeout'],
  ])('backs off on %s from the exchange and recovers without a restart', async (mode, error) => {
    await ensureRunning('ticker');
    await s.until('kraken collected', async () => ((await target('ticker', 'kraken'))?.state === 'ok' ? true : undefined));
    const before = await s.status('ticker');
    await s.fault(mode, 3, '/0/public/Ticker');
    const failing = await s.until(`kraken in backoff after ${mode}`, async () => {
      const t = await target('ticker', 'kraken');
      return t?.state === 'backoff' && String(t.error).includes(error) ? t : undefined;
    });
    expect(failing.retry_at).toEqual(expect.any(String));
    await s.until('kraken recovered', async () => ((await target('ticker', 'kraken'))?.state === 'ok' ? true : undefined));
    const after = await s.status('ticker');
    expect({ pid: after.pid, restarts: after.restarts, status: after.status }).toEqual({ pid: before.pid, restarts: before.restarts, status: 'running' });
  }, 60_000);

  it('waits while the cache is down and writes again when it is back', async () => {
    await ensureRunning('ticker');
    expect((await s.post('/api/v1/services/cache_api/stop')).status).toBe(200);
    await s.until('ticker to report cache_api down', async () => ((await target('ticker', 'cache_api'))?.state === 'backoff' ? true : undefined));
    expect((await s.status('ticker')).status).toBe('running');
    expect((await s.post('/api/v1/services/cache_api/start')).status).toBe(200);
    await s.until('ticker writing again', async () => ((await target('ticker', 'cache_api'))?.state === 'ok' ? true : undefined));
  }, 60_000);

  it('marks an account whose credentials fail, goes on with the others, and never logs a secret', async () => {
    const wrongSecret = Buffer.from('definitely-not-the-secret').toString('base64');
    const good = await s.post('/api/v1/orm/exchanges/user-exchanges', { cat_ex_id: kraken, name: 'good', credentials: { key: FAKE_ACCOUNT.apiKey, secret: FAKE_ACCOUNT.secret } });
    const bad = await s.post('/api/v1/orm/exchanges/user-exchanges', { cat_ex_id: kraken, name: 'bad', credentials: { key: FAKE_ACCOUNT.apiKey, secret: wrongSecret } });
    expect([good.status, bad.status].every((code) => code === 200 || code === 201)).toBe(true);
    await ensureRunning('account');
    const refused = await s.until('the bad account marked', async () => {
      const t = await target('account', `account ${bad.body.ex_id}`);
      return t?.state === 'backoff' ? t : undefined;
    });
    expect(refused.error).toMatch(/AuthenticationError/);
    await s.until('the good account collected', async () => ((await target('account', `account ${good.body.ex_id}`))?.state === 'ok' ? true : undefined));
    expect(await balance(good.body.ex_id)).toBeGreaterThanOrEqual(10_000);
    const logs = JSON.stringify((await s.get('/api/v1/services/account/logs?lines=1000')).body);
    expect(logs).toContain('AuthenticationError');
    for (const secret of [FAKE_ACCOUNT.secret, wrongSecret]) expect(logs).not.toContain(secret);
    expect(JSON.stringify(await s.status('account'))).not.toContain(FAKE_ACCOUNT.secret);
  }, 60_000);

  async function balance(exId: number): Promise<number> {
    const socket = new WebSocket(`${s.stack.url.replace('http', 'ws')}/api/v1/cache/ws/accounts/faults`, { headers: { authorization: `Bearer ${s.token}` } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      const reply = new Promise<any>((resolve) => socket.on('message', (data) => resolve(JSON.parse(data.toString()))));
      socket.send(JSON.stringify({ action: 'get_balance', request_id: 'b', params: { user_id: exId, currency: 'USD' } }));
      const answer = await reply;
      expect(answer.success).toBe(true);
      return answer.result.total_balance;
    } finally {
      socket.close();
    }
  }
});
