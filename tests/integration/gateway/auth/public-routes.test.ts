// Issue 16 finding 4: an `auth: public` route reaches the built-in upstreams.
// Real gateway (real EdgeAuth and assertion signer) in front of the real ohlcv
// and orm processes on real Postgres: the gateway sends an anonymous assertion on
// public routes, which the upstreams honour only on their public market data
// reads (GET /timeframes...), and refuse with 401 everywhere else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeAuth } from '../../../../gateway/auth/edge-auth.ts';
import { loadAuthSettings } from '../../../../gateway/auth/settings.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { SIGNED_IN_REQUIRED } from '../../../../upstreams/common/server.ts';
import { TEST_ASSERTION_ENV, TEST_ASSERTION_KEY, makeTestKey, signTestAnonymousAssertion } from '../../../helpers/assertion.ts';
import { uniqueMail, workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { request, startTestGateway, type TestGateway } from '../proxy/harness.ts';

let ohlcv: StartedProcess;
let orm: StartedProcess;
let gw: TestGateway;

beforeAll(async () => {
  [ohlcv, orm] = await Promise.all([
    startProcess('upstreams/ohlcv/main.ts', { ...TEST_ASSERTION_ENV, OHLCV_DATABASE_URL: await workerDatabaseUrl('pub_ohlcv') }),
    startProcess('upstreams/orm/main.ts', {
      ...TEST_ASSERTION_ENV,
      DATABASE_URL: await workerDatabaseUrl('pub_orm'),
      ADMIN_MAIL: uniqueMail('admin'),
      ADMIN_PASSWORD: 'public-routes-admin-password',
      BCRYPT_ROUNDS: '4',
    }),
  ]);
  const settings = loadAuthSettings({ env: { JWT_SECRET_KEY: 'public-routes-jwt-secret-0123456789abcdef' }, warn: () => {} });
  const auth = await createEdgeAuth({ settings, registry: new UpstreamRegistry(), assertionKey: TEST_ASSERTION_KEY });
  gw = await startTestGateway({
    auth,
    yaml: `
upstreams:
  ohlcv_api: { url: ${ohlcv.url} }
  orm_api: { url: ${orm.url} }
routes:
  - { prefix: /pub/ohlcv, upstream: ohlcv_api, rewrite: "", auth: public }
  - { prefix: /pub/orm, upstream: orm_api, rewrite: "", auth: public }
`,
  });
});
afterAll(async () => {
  await gw?.close();
  await Promise.all([ohlcv?.stop(), orm?.stop()]);
});

describe('auth: public routes to the built-in upstreams', () => {
  it('GET /pub/ohlcv/timeframes answers 200 without credentials', async () => {
    const res = await request(`${gw.url}/pub/ohlcv/timeframes`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ success: true, timeframes: expect.arrayContaining(['1m', '1h', '1d']) });
  });

  it('answers the same with a Bearer token (public means anonymous: the token is neither checked nor forwarded as a user)', async () => {
    const res = await request(`${gw.url}/pub/ohlcv/timeframes`, { headers: { authorization: 'Bearer not-even-a-jwt' } });
    expect(res.status).toBe(200);
  });

  it('serves the other public market data reads (catalogue, candles)', async () => {
    expect((await request(`${gw.url}/pub/ohlcv/exchanges`)).status).toBe(200);
    // No such exchange stored: the read runs (404 or an empty answer), it is not refused as anonymous.
    const candles = await request(`${gw.url}/pub/ohlcv/candles/nowhere/BTC%2FUSDT/1m`);
    expect(candles.status).not.toBe(401);
  });

  it('an ohlcv write stays closed: POST ingest through a public route is 401', async () => {
    const res = await request(`${gw.url}/pub/ohlcv/candles/kraken/BTC%2FUSDT/1m`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ candles: [] }),
    });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ detail: SIGNED_IN_REQUIRED });
  });

  it('nothing of the orm opens: GET /pub/orm/users/me is 401', async () => {
    const res = await request(`${gw.url}/pub/orm/users/me`);
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ detail: SIGNED_IN_REQUIRED });
  });

  it('straight to the upstream port: no assertion is 401, an anonymous one signed with a wrong key is 401', async () => {
    const bare = await request(`${ohlcv.url}/timeframes`);
    expect(bare.status).toBe(401);
    const forged = await request(`${ohlcv.url}/timeframes`, { headers: { 'x-gateway-assertion': await signTestAnonymousAssertion('ohlcv_api', makeTestKey(TEST_ASSERTION_KEY.kid)) } });
    expect(forged.status).toBe(401);
    const good = await request(`${ohlcv.url}/timeframes`, { headers: { 'x-gateway-assertion': await signTestAnonymousAssertion('ohlcv_api') } });
    expect(good.status).toBe(200);
  });

  it('an anonymous assertion straight to an orm endpoint is 401', async () => {
    const res = await request(`${orm.url}/users/me`, { headers: { 'x-gateway-assertion': await signTestAnonymousAssertion('orm_api') } });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ detail: SIGNED_IN_REQUIRED });
  });
});
