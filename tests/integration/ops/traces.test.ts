// Traces across real processes: the gateway (gateway/main.ts) with its supervised
// orm_api and cache_api on real Postgres and Redis, logging at debug. A request
// with a traceparent reaches orm_api with the same trace id and the gateway's
// span as its parent; the gateway's access line and orm_api's request line carry
// it beside the same request id. A bad traceparent is replaced, consistently in
// both processes. The ticker collector's writes reach cache_api under the trace
// of the poll that made them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../examples/lib/stack.ts';
import { freshDatabaseUrl, workerRedis } from '../../helpers/isolation.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

type Line = Record<string, unknown>;
let stack: Stack;
const lines: Line[] = [];
const dropDatabases: Array<() => Promise<void>> = [];
let token = '';

beforeAll(async () => {
  const orm = await freshDatabaseUrl('trace_orm');
  const ohlcv = await freshDatabaseUrl('trace_ohlcv');
  dropDatabases.push(orm.drop, ohlcv.drop);
  stack = await startStack({
    env: { DATABASE_URL: orm.url, OHLCV_DATABASE_URL: ohlcv.url, REDIS_URL: workerRedis().url, CACHE_KEY_PREFIX: `trace_${process.pid}_${Date.now()}:`, BCRYPT_ROUNDS: '4', LOG_LEVEL: 'debug', COLLECTOR_USE_WEBSOCKET: 'false' },
    onLog: (line) => {
      try {
        lines.push(JSON.parse(line) as Line);
      } catch {
        /* not JSON */
      }
    },
  });
  const login = await fetch(`${stack.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: stack.adminMail, password: stack.adminPassword }),
  });
  token = ((await login.json()) as { access_token: string }).access_token;
}, 150_000);
afterAll(async () => {
  await stack?.stop();
  for (const drop of dropDatabases) await drop().catch(() => {});
}, 60_000);

/** Waits (without a fixed sleep) until a log line matching `match` was written. */
async function lineWhere(what: string, match: (line: Line) => boolean, timeoutMs = 30_000): Promise<Line> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no log line: ${what}\n${lines.slice(-20).map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function traced(traceparent: string | undefined) {
  const response = await fetch(`${stack.url}/api/v1/orm/users/me`, {
    headers: { authorization: `Bearer ${token}`, ...(traceparent ? { traceparent, tracestate: 'vendor=abc' } : {}) },
  });
  expect(response.status).toBe(200);
  const requestId = response.headers.get('x-request-id')!;
  const gateway = await lineWhere('gateway access line', (line) => line.msg === 'request' && line.request_id === requestId);
  const orm = await lineWhere('orm_api request line', (line) => line.msg === 'request' && line.service === 'orm_api' && line.reqId === requestId);
  return { gateway, orm, traceresponse: response.headers.get('traceresponse') };
}

describe('traces across the gateway and its upstreams (real processes)', () => {
  it('carries a client trace to orm_api with a new parent id, logged beside the request id in both processes', async () => {
    const { gateway, orm, traceresponse } = await traced(`00-${TRACE}-${PARENT}-01`);
    expect(gateway.trace_id).toBe(TRACE);
    expect(gateway.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(gateway.span_id).not.toBe(PARENT);
    expect(orm).toMatchObject({ trace_id: TRACE, parent_id: gateway.span_id, route: '/users/me', status: 200 });
    expect(traceresponse).toBe(`00-${TRACE}-${gateway.span_id}-01`);
  });

  it.each([
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['a wrong length', `00-${TRACE}-${PARENT}-1`],
  ])('replaces a traceparent with %s by one new trace that both processes log', async (_name, traceparent) => {
    const { gateway, orm } = await traced(traceparent);
    expect(gateway.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(gateway.trace_id).not.toBe(TRACE);
    expect(orm).toMatchObject({ trace_id: gateway.trace_id, parent_id: gateway.span_id });
  });

  it("tags the ticker collector's writes to cache_api with the trace of the poll that made them", async () => {
    const started = await fetch(`${stack.url}/api/v1/services/ticker/start`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(started.status).toBe(200);
    const write = await lineWhere(
      'cache_api ticker write',
      (line) => line.service === 'cache_api' && line.msg === 'request' && String(line.route).startsWith('/tickers/') && line.method === 'POST' && line.status === 201,
      60_000,
    );
    expect(write.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(write.parent_id).toMatch(/^[0-9a-f]{16}$/);
    // The gateway never saw this request: the trace started in the collector.
    expect(lines.some((line) => line.request_id !== undefined && line.trace_id === write.trace_id)).toBe(false);

    // The running collector's own metrics, through the gateway (it has no route of its own).
    const metrics = await fetch(`${stack.url}/metrics/ticker`, { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/collector_lag_seconds\{exchange="kraken",symbol="[^"]+",service="ticker",kind="ticker"\} \d/);
    expect(text).toContain('collector_following{service="ticker",kind="ticker"}');
  }, 90_000);
});
