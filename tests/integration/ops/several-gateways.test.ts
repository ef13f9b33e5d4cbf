// Several gateways, one set of upstreams, all real processes: two `gateway/main.ts`
// processes share what replicas share in production (JWT_SECRET_KEY, the Ed25519
// assertion key, and a Redis: the run's own test Redis), in front of an orm and a
// second upstream that were started separately and are configured as external
// `url:` upstreams. A token issued by one is accepted by the other; an API key
// revoked through one is refused by both as soon as the revocation event is out
// (awaited on the Redis channel and in the other gateway's worker log, with the
// longest cache TTL, so only the event can explain the refusal); login throttling counts failures across both;
// neither supervises the external upstreams.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../fixtures/processes/configs.ts';
import { uniqueMail, workerRedis } from '../../helpers/isolation.ts';
import { startProcess, type StartedProcess } from '../../helpers/processes.ts';
import { login, makeSharedSecrets, startExternalOrm, startGatewayProcess, tokenOf, type GatewayProcess } from './stack.ts';

const secrets = makeSharedSecrets();
const CHANNEL = `test:ops:revocations:${randomUUID()}`;
const MAX_FAILURES = 3;

let orm: StartedProcess;
let echo: StartedProcess;
let a: GatewayProcess;
let b: GatewayProcess;
let listener: Redis;

/** Resolves with the next message on the gateways' revocation channel. */
let nextRevocation: () => Promise<string>;

beforeAll(async () => {
  [orm, echo] = await Promise.all([startExternalOrm(secrets, 'ops_gateways_orm'), startProcess(fixturePath('http-service.ts'), { SERVICE_NAME: 'echo' })]);
  const routes = `
upstreams:
  orm_api:
    url: ${orm.url}
    health: { path: /health, critical: true }
  echo:
    url: ${echo.url}
    health: { path: /health, critical: false }
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
  - { prefix: /api/v1/echo, upstream: echo, rewrite: "", auth: user }
`;
  const env = {
    AUTH_REVOCATION_CHANNEL: CHANNEL,
    // Far beyond the test (the maximum): a cached key can only be refused by the event.
    API_KEY_CACHE_TTL_MS: '5000',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: String(MAX_FAILURES),
    // Every test login comes from 127.0.0.1: count per account only.
    LOGIN_MAX_FAILURES_PER_ADDRESS: '0',
  };
  [a, b] = await Promise.all([startGatewayProcess(secrets, routes, env), startGatewayProcess(secrets, routes, env)]);

  listener = new Redis(workerRedis().url);
  let waiters: Array<(message: string) => void> = [];
  listener.on('message', (_channel: string, message: string) => {
    for (const resolve of waiters) resolve(message);
    waiters = [];
  });
  await listener.subscribe(CHANNEL);
  nextRevocation = () => new Promise((resolve) => waiters.push(resolve));
  // Both gateways subscribe at start-up; no event tells a stranger has subscribed, so ask Redis.
  const publisher = new Redis(workerRedis().url);
  try {
    for (;;) {
      const [, count] = (await publisher.pubsub('NUMSUB', CHANNEL)) as [string, number];
      if (Number(count) >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    publisher.disconnect();
  }
}, 120_000);

afterAll(async () => {
  listener?.disconnect();
  await a?.remove();
  await b?.remove();
  await orm?.stop();
  await echo?.stop();
});

async function call(gateway: GatewayProcess, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Response> {
  return fetch(`${gateway.url}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function newUser(via: GatewayProcess): Promise<{ mail: string; password: string }> {
  const admin = await tokenOf(via.url, secrets.adminMail, secrets.adminPassword);
  const user = { mail: uniqueMail('replica'), password: 'replica-password-1' };
  const response = await call(via, 'POST', '/api/v1/orm/users', { authorization: `Bearer ${admin}` }, { ...user, name: 'Replica', lastname: 'User' });
  expect(response.status).toBeLessThan(300);
  return user;
}

describe('two gateway processes, one set of external upstreams', () => {
  it('a token issued by one gateway is accepted by the other, both ways', async () => {
    const user = await newUser(a);
    const fromA = await tokenOf(a.url, user.mail, user.password);
    const fromB = await tokenOf(b.url, user.mail, user.password);
    for (const [gateway, token] of [[b, fromA], [a, fromB]] as const) {
      const me = await call(gateway, 'GET', '/api/v1/orm/users/me', { authorization: `Bearer ${token}` });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { mail: string }).mail).toBe(user.mail);
      expect((await call(gateway, 'GET', '/api/v1/echo/x', { authorization: `Bearer ${token}` })).status).toBe(200);
    }
  });

  it('an API key revoked through one gateway is refused by both once the revocation event is out', async () => {
    const user = await newUser(a);
    const token = await tokenOf(a.url, user.mail, user.password);
    const created = await call(a, 'POST', '/api/v1/orm/api_keys/me', { authorization: `Bearer ${token}` }, { name: `k-${randomUUID()}` });
    expect(created.status).toBeLessThan(300);
    const { api_key_id: id, key } = (await created.json()) as { api_key_id: number; key: string };
    // Both gateways have checked, and cached, the key.
    for (const gateway of [a, b]) expect((await call(gateway, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })).status).toBe(200);

    const event = nextRevocation();
    const started = performance.now();
    const revoked = await call(a, 'PATCH', `/api/v1/orm/api_keys/${id}/deactivate`, { authorization: `Bearer ${token}` });
    expect(revoked.status).toBeLessThan(300);
    await event;
    // A's worker revoked its cache before answering the PATCH (x-auth-invalidate).
    // B hears the event in its primary, which hands it to its worker over IPC: the
    // test's own subscriber getting the message says nothing about that second hop,
    // so wait for B's worker to say it has forgotten the key (its log line).
    await b.logged((line) => line.msg === 'cached credentials revoked' && String(line.revoked).split(', ').includes(`api_key=${id}`));
    // The first request after that, no retry: refused by both.
    const [onA, onB] = await Promise.all([a, b].map((gateway) => call(gateway, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })));
    const elapsedMs = performance.now() - started;
    expect(onA!.status).toBe(401);
    expect(onB!.status).toBe(401);
    // Reported, not asserted (no timing assertions): the figure for the 1 s contract.
    console.info(`several-gateways: revoke through A -> refused by A and B in ${elapsedMs.toFixed(0)} ms`);
  });

  it('login throttling is shared: failures through both gateways add up', async () => {
    const user = await newUser(a);
    // MAX_FAILURES wrong passwords, alternating gateways: no single gateway saw that many.
    for (let i = 0; i < MAX_FAILURES; i++) expect((await login(i % 2 === 0 ? a.url : b.url, user.mail, 'wrong-password')).status).toBe(401);
    for (const gateway of [a, b]) {
      const refused = await login(gateway.url, user.mail, user.password);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('neither gateway supervises the external upstreams', async () => {
    const admin = await tokenOf(a.url, secrets.adminMail, secrets.adminPassword);
    for (const gateway of [a, b]) {
      const { services } = (await (await call(gateway, 'GET', '/api/v1/services', { authorization: `Bearer ${admin}` })).json()) as { services: Record<string, { managed: boolean; pid: number | null }> };
      for (const name of ['orm_api', 'echo']) expect(services[name], name).toMatchObject({ managed: false, pid: null });
      const restart = await call(gateway, 'POST', '/api/v1/services/echo/restart', { authorization: `Bearer ${admin}` });
      expect(restart.status).toBe(409);
    }
    // The upstreams are this test's children, not a gateway's.
    for (const upstream of [orm, echo]) expect(parentOf(upstream.child.pid!)).toBe(process.pid);
    // One gateway going away leaves the upstreams and the other gateway serving.
    await a.stop();
    const user = await newUser(b);
    expect((await login(b.url, user.mail, user.password)).status).toBe(200);
    expect((await fetch(`${echo.url}/health`)).status).toBe(200);
  });
});

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
