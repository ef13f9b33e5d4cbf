// Route rate limits through real gateways and a real Redis of this test's own
// (started on a free port, killed and started again on the same port for the
// outage): two gateways share one count, the IETF fields ride on proxied 2xx
// answers, a WebSocket upgrade is one request, and with Redis down a route fails
// open (served, counted in memory, one log line) or closed (503) as it says.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';
import { RateLimitStore } from '../../../../gateway/ratelimit/store.ts';
import { freeLoopbackPort, startRedisServerOn } from '../../../helpers/test-redis.ts';
import { eventually, request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const yaml = (upstream: string) => `upstreams:
  api: { url: ${upstream} }
routes:
  - { prefix: /open, upstream: api, rewrite: "", websocket: true, rate_limit: { requests: 4, per: 1m } }
  - { prefix: /closed, upstream: api, rewrite: "", rate_limit: { requests: 4, per: 1m, on_store_error: closed } }
  - { prefix: /free, upstream: api, rewrite: "" }
`;
const USER = { authorization: 'Bearer user' };

let port: number;
let redis: ChildProcess | null = null;
let upstream: StubUpstream;
const opened: Array<{ close(): unknown }> = [];

beforeAll(async () => {
  port = await freeLoopbackPort();
  redis = await startRedisServerOn(port);
  upstream = await startStubUpstream();
});

afterEach(async () => {
  for (const item of opened.splice(0)) await item.close();
  if (redis === null || redis.exitCode !== null || redis.signalCode !== null) redis = await startRedisServerOn(port);
});

afterAll(async () => {
  redis?.kill('SIGKILL');
  await upstream?.close();
});

/** A gateway whose limits count in this test's Redis under `prefix`, and the parsed lines its store logged. */
async function gatewayOnRedis(prefix: string): Promise<{ gw: TestGateway; store: RateLimitStore; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const store = new RateLimitStore({ redisUrl: `redis://127.0.0.1:${port}/0`, keyPrefix: prefix, logger: createGatewayLogger({ level: 'info', destination: sink }) });
  await store.connected();
  const gw = await startTestGateway({ yaml: yaml(upstream.url), rateLimits: store });
  opened.push(gw, { close: () => store.close() });
  return { gw, store, lines };
}

describe('route rate limits in Redis', () => {
  it('counts two gateways together and puts the IETF fields on proxied 2xx answers', async () => {
    const prefix = `test-rl:${randomUUID()}`;
    const a = await gatewayOnRedis(prefix);
    const b = await gatewayOnRedis(prefix);
    const answers = [];
    for (const gw of [a.gw, b.gw, a.gw, b.gw, a.gw, b.gw]) answers.push(await request(`${gw.url}/open/hello`, { headers: USER }));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers[0]!.json()).toMatchObject({ url: '/hello' });
    expect(answers[0]!.headers['ratelimit-policy']).toBe('"user";q=4;w=60');
    expect(answers.slice(0, 4).map((r) => String(r.headers.ratelimit).replace(/;t=\d+$/, ''))).toEqual(['"user";r=3', '"user";r=2', '"user";r=1', '"user";r=0']);
    const refused = answers[4]!;
    expect(refused.json()).toEqual({ detail: expect.stringMatching(/^Rate limit exceeded; retry in \d+ s$/) });
    expect(refused.headers['x-gateway-error']).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers.ratelimit).toBe(`"user";r=0;t=${refused.headers['retry-after']}`);
    // A route without a limit: no fields, no count.
    const free = await request(`${a.gw.url}/free/x`, { headers: USER });
    expect(free.status).toBe(200);
    expect(free.headers['ratelimit-policy']).toBeUndefined();
    // Admins are exempt by default: served, no fields.
    const admin = await request(`${b.gw.url}/open/x`, { headers: { authorization: 'Bearer admin' } });
    expect(admin.status).toBe(200);
    expect(admin.headers.ratelimit).toBeUndefined();
  });

  it('counts a WebSocket upgrade as one request, and refuses one past the limit with the 429', async () => {
    const { gw } = await gatewayOnRedis(`test-rl:${randomUUID()}`);
    for (let i = 0; i < 3; i++) expect((await request(`${gw.url}/open/x`, { headers: USER })).status).toBe(200);
    const socket = new WebSocket(`ws://127.0.0.1:${gw.port}/open/socket`, { headers: USER });
    const first = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    expect(JSON.parse(first)).toMatchObject({ hello: '/socket' });
    socket.close();
    const refused = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      const again = new WebSocket(`ws://127.0.0.1:${gw.port}/open/socket`, { headers: USER });
      again.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      again.once('open', () => reject(new Error('upgrade past the limit was accepted')));
      again.once('error', () => {});
    });
    expect(refused.status).toBe(429);
    expect(refused.headers['x-gateway-error']).toBe('RATE_LIMITED');
    expect(refused.headers['ratelimit-policy']).toBe('"user";q=4;w=60');
  });

  it('with Redis down serves routes that fail open (counted in memory) and answers 503 on closed ones, logging the outage once', async () => {
    const { gw, lines } = await gatewayOnRedis(`test-rl:${randomUUID()}`);
    expect((await request(`${gw.url}/open/x`, { headers: USER })).status).toBe(200);
    redis!.kill('SIGKILL');
    await new Promise((resolve) => redis!.once('exit', resolve));

    // open: the other 3 of the allowance are served from this process's memory (a fresh count), then 429.
    const open = [];
    for (let i = 0; i < 6; i++) open.push(await request(`${gw.url}/open/x`, { headers: USER }));
    expect(open.map((r) => r.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(open[0]!.headers['ratelimit-policy']).toBe('"user";q=4;w=60');
    // closed: 503 with Retry-After, the catalogue's code, the JSON detail.
    const closed = await request(`${gw.url}/closed/x`, { headers: USER });
    expect(closed.status).toBe(503);
    expect(closed.json()).toEqual({ detail: 'Rate limit store unavailable' });
    expect(closed.headers['x-gateway-error']).toBe('RATE_LIMIT_UNAVAILABLE');
    expect(closed.headers['retry-after']).toBe('1');

    const outage = lines.filter((line) => String(line.msg).startsWith('rate limits: Redis unreachable'));
    expect(outage).toHaveLength(1);
    expect(outage[0]).toMatchObject({ level: 40, capability: 'rate-limit' });
    expect(JSON.stringify(lines)).not.toContain(`redis://`);

    // Back: the next counts go to Redis again (the closed route serves), and that is logged once.
    redis = await startRedisServerOn(port);
    await eventually(async () => (await request(`${gw.url}/closed/x`, { headers: USER })).status === 200, 15_000);
    expect(lines.filter((line) => String(line.msg).startsWith('rate limits: Redis reachable again'))).toHaveLength(1);
    expect(lines.filter((line) => String(line.msg).startsWith('rate limits: Redis unreachable'))).toHaveLength(1);
  });
});
