// Revocation is immediate, and tokens interoperate with fullon: two gateway
// replicas in front of one real orm (real Postgres), sharing the run's Redis.
// Deactivating or deleting a key, or deactivating a user, through replica A
// refuses that credential on A's very next request, and on B as soon as the
// revocation event arrives (awaited, not timed). The revocation header never
// reaches the client.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRoutes } from '../../../../gateway/auth/auth-routes.ts';
import { createEdgeAuth, type GatewayEdgeAuth } from '../../../../gateway/auth/edge-auth.ts';
import type { Invalidation } from '../../../../gateway/auth/invalidation.ts';
import { RevocationBus } from '../../../../gateway/auth/revocation-bus.ts';
import { OrmRevocationFeed } from '../../../../gateway/auth/orm-revocation-feed.ts';
import { loadAuthSettings } from '../../../../gateway/auth/settings.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { uniqueMail, workerDatabaseUrl, workerRedis } from '../../../helpers/isolation.ts';
import { TEST_ASSERTION_ENV, TEST_ASSERTION_KEY } from '../../../helpers/assertion.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import WebSocket from 'ws';
import { startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const JWT_SECRET = 'revocation-jwt-secret-0123456789abcdef-xyz';
const ADMIN_PASSWORD = 'revocation-admin-password';
const adminMail = uniqueMail('admin');
const silent = { warn: () => {}, error: () => {} };

interface Replica {
  auth: GatewayEdgeAuth;
  bus: RevocationBus;
  edge: TestGateway;
  /** Resolves with the next revocation event this replica receives from the others. */
  nextRemote(): Promise<Invalidation[]>;
}

let orm: StartedProcess;
let stub: StubUpstream;
let a: Replica;
let b: Replica;

async function startReplica(channel: string): Promise<Replica> {
  const registry = new UpstreamRegistry();
  registry.ensure('orm_api', new URL(orm.url), 'up');
  // A TTL far beyond the test: only the revocation path can refuse a cached credential here.
  const settings = loadAuthSettings({ env: { JWT_SECRET_KEY: JWT_SECRET, ADMIN_MAIL: adminMail, API_KEY_CACHE_TTL_MS: '5000' }, warn: () => {} });
  const auth = await createEdgeAuth({ settings, registry, assertionKey: TEST_ASSERTION_KEY });
  let waiters: Array<(items: Invalidation[]) => void> = [];
  const bus = new RevocationBus({
    redisUrl: workerRedis().url,
    channel,
    logger: silent,
    onRemote: (items) => {
      // As main.ts does: caches and open WebSockets of this replica.
      edge.gateway.revoke(items);
      for (const resolve of waiters) resolve(items);
      waiters = [];
    },
  });
  await bus.ready();
  const edge: TestGateway = await startTestGateway({
    yaml: `
upstreams:
  orm_api: { url: ${orm.url} }
  stub: { url: ${stub.url} }
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
  - { prefix: /api/v1/stream, upstream: stub, rewrite: "", auth: user, websocket: true }
`,
    auth,
    localRoutes: createAuthRoutes(auth),
    onAuthInvalidation: (items) => bus.publish(items),
  });
  return { auth, bus, edge, nextRemote: () => new Promise((resolve) => waiters.push(resolve)) };
}

beforeAll(async () => {
  stub = await startStubUpstream();
  orm = await startProcess('upstreams/orm/main.ts', {
    DATABASE_URL: await workerDatabaseUrl('revocation_orm'),
    ...TEST_ASSERTION_ENV,
    ADMIN_MAIL: adminMail,
    ADMIN_PASSWORD,
    BCRYPT_ROUNDS: '4',
  });
});
afterAll(async () => {
  await orm?.stop();
  await stub?.close();
});

let channel = '';
afterEach(async () => {
  for (const replica of [a, b]) {
    await replica?.edge.close();
    await replica?.bus.close();
    await replica?.auth.close();
  }
  a = b = undefined as unknown as Replica;
});
async function startPair() {
  channel = `test:revocation:${randomUUID()}`;
  a = await startReplica(channel);
  b = await startReplica(channel);
}

async function call(replica: Replica, method: string, path: string, credentials: Record<string, string>, body?: unknown): Promise<Response> {
  return fetch(`${replica.edge.url}${path}`, {
    method,
    headers: { ...credentials, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function adminToken(replica: Replica): Promise<string> {
  const response = await call(replica, 'POST', '/api/v1/auth/login', {}, { username: adminMail, password: ADMIN_PASSWORD });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function newUser(replica: Replica, admin: string): Promise<{ uid: number; mail: string }> {
  const mail = uniqueMail('holder');
  const response = await call(replica, 'POST', '/api/v1/orm/users', { authorization: `Bearer ${admin}` }, { mail, password: 'holder-password-123', name: 'Holder', lastname: 'H' });
  expect(response.ok).toBe(true);
  return (await response.json()) as { uid: number; mail: string };
}

async function newKey(replica: Replica, token: string): Promise<{ api_key_id: number; key: string }> {
  const response = await call(replica, 'POST', '/api/v1/orm/api_keys/me', { authorization: `Bearer ${token}` }, { name: `k-${randomUUID()}` });
  expect(response.ok).toBe(true);
  return (await response.json()) as { api_key_id: number; key: string };
}

/** A token minted the way fullon_master_api's JWTHandler.generate_token did. */
function fullonToken(userId: number, username: string, email: string | null): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return new SignJWT({ sub: username, user_id: userId, username, email, exp }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(JWT_SECRET));
}

describe('revocation through the gateway', () => {
  it.each([
    ['deactivated', 'PATCH', (id: number) => `/api/v1/orm/api_keys/${id}/deactivate`],
    ['deleted', 'DELETE', (id: number) => `/api/v1/orm/api_keys/${id}`],
  ])('refuses an API key %s through one replica on the very next request, and on the other once the event arrives', async (_how, method, path) => {
    await startPair();
    const admin = await adminToken(a);
    const { key, api_key_id } = await newKey(a, admin);
    // Both replicas have the key cached as good.
    expect((await call(a, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })).status).toBe(200);
    expect((await call(b, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })).status).toBe(200);
    const arrived = b.nextRemote();
    const revoke = await call(a, method, path(api_key_id), { authorization: `Bearer ${admin}` });
    expect(revoke.ok).toBe(true);
    expect(revoke.headers.get('x-auth-invalidate')).toBeNull();
    expect((await call(a, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })).status).toBe(401);
    expect(await arrived).toEqual([{ kind: 'api_key', id: api_key_id }]);
    expect((await call(b, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })).status).toBe(401);
  });

  it('refuses a deactivated user\'s tokens (ours and fullon-format) and keys on the next request, on both replicas', async () => {
    await startPair();
    const admin = await adminToken(a);
    const user = await newUser(a, admin);
    const loginResponse = await call(a, 'POST', '/api/v1/auth/login', {}, { username: user.mail, password: 'holder-password-123' });
    const own = ((await loginResponse.json()) as { access_token: string }).access_token;
    const fullon = await fullonToken(user.uid, 'holder', null);
    const { key } = await newKey(a, own);
    const credentials: Array<Record<string, string>> = [{ authorization: `Bearer ${own}` }, { authorization: `Bearer ${fullon}` }, { 'x-api-key': key }];
    for (const replica of [a, b]) {
      for (const credential of credentials) {
        const me = await call(replica, 'GET', '/api/v1/orm/users/me', credential);
        expect(me.status).toBe(200);
        expect(await me.json()).toMatchObject({ uid: user.uid, mail: user.mail });
      }
    }
    const arrived = b.nextRemote();
    const patch = await call(a, 'PATCH', `/api/v1/orm/users/${user.uid}`, { authorization: `Bearer ${admin}` }, { active: false });
    expect(patch.status).toBe(200);
    expect(patch.headers.get('x-auth-invalidate')).toBeNull();
    for (const credential of credentials) expect((await call(a, 'GET', '/api/v1/orm/users/me', credential)).status).toBe(401);
    expect(await arrived).toEqual([{ kind: 'user', id: user.uid }]);
    for (const credential of credentials) expect((await call(b, 'GET', '/api/v1/orm/users/me', credential)).status).toBe(401);
  });
});

describe('open WebSockets on revocation', () => {
  function openStream(replica: Replica, query: string, headers: Record<string, string> = {}) {
    const socket = new WebSocket(`${replica.edge.url.replace('http', 'ws')}/api/v1/stream/feed${query}`, { headers });
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('message', () => resolve());
      socket.once('error', reject);
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    return { socket, opened, closed };
  }

  it('closes the sockets of a user deactivated through one replica with 1008, on both replicas, and no one else\'s', async () => {
    await startPair();
    const admin = await adminToken(a);
    const user = await newUser(a, admin);
    const login = await call(a, 'POST', '/api/v1/auth/login', {}, { username: user.mail, password: 'holder-password-123' });
    const own = ((await login.json()) as { access_token: string }).access_token;
    const onA = openStream(a, `?token=${own}`);
    const onB = openStream(b, `?token=${await fullonToken(user.uid, 'holder', null)}`);
    const bystander = openStream(a, `?token=${admin}`);
    await Promise.all([onA.opened, onB.opened, bystander.opened]);
    const patch = await call(a, 'PATCH', `/api/v1/orm/users/${user.uid}`, { authorization: `Bearer ${admin}` }, { active: false });
    expect(patch.status).toBe(200);
    expect(await onA.closed).toEqual({ code: 1008, reason: 'credentials revoked' });
    expect(await onB.closed).toEqual({ code: 1008, reason: 'credentials revoked' });
    const echo = new Promise((resolve) => bystander.socket.once('message', (data) => resolve(String(data))));
    bystander.socket.send('still here');
    expect(await echo).toBe('echo:still here');
    bystander.socket.close();
  });

  it('closes a socket opened with an API key when that key is deleted', async () => {
    await startPair();
    const admin = await adminToken(a);
    const { key, api_key_id } = await newKey(a, admin);
    const stream = openStream(a, '', { 'x-api-key': key });
    await stream.opened;
    expect((await call(a, 'DELETE', `/api/v1/orm/api_keys/${api_key_id}`, { authorization: `Bearer ${admin}` })).ok).toBe(true);
    expect(await stream.closed).toEqual({ code: 1008, reason: 'credentials revoked' });
  });
});

describe('fullon-format tokens through the gateway', () => {
  it('serves a token minted the fullon way, as the user the orm knows', async () => {
    await startPair();
    const admin = await adminToken(a);
    const user = await newUser(a, admin);
    const token = await fullonToken(user.uid, 'holder', user.mail);
    const me = await call(a, 'GET', '/api/v1/orm/users/me', { authorization: `Bearer ${token}` });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ uid: user.uid, mail: user.mail });
    const verify = await call(a, 'GET', '/api/v1/auth/verify', { authorization: `Bearer ${token}` });
    expect(await verify.json()).toMatchObject({ user_id: user.uid, email: user.mail, role: 'user', is_active: true });
  });

  it('refuses a fullon-format token whose user_id does not exist', async () => {
    await startPair();
    const response = await call(a, 'GET', '/api/v1/orm/users/me', { authorization: `Bearer ${await fullonToken(2_000_000_000, 'ghost', null)}` });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Invalid or expired token' });
  });
});

describe('replicas that share only the orm (no Redis)', () => {
  interface FeedReplica {
    auth: GatewayEdgeAuth;
    feed: OrmRevocationFeed;
    edge: TestGateway;
    nextEvent(): Promise<Invalidation[]>;
  }
  const replicas: FeedReplica[] = [];
  afterEach(async () => {
    for (const replica of replicas.splice(0)) {
      await replica.feed.close();
      await replica.edge.close();
      await replica.auth.close();
    }
  });

  async function startFeedReplica(): Promise<FeedReplica> {
    const registry = new UpstreamRegistry();
    registry.ensure('orm_api', new URL(orm.url), 'up');
    const settings = loadAuthSettings({ env: { JWT_SECRET_KEY: JWT_SECRET, ADMIN_MAIL: adminMail, API_KEY_CACHE_TTL_MS: '5000' }, warn: () => {} });
    const auth = await createEdgeAuth({ settings, registry, assertionKey: TEST_ASSERTION_KEY });
    let waiters: Array<(items: Invalidation[]) => void> = [];
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    const feed = new OrmRevocationFeed({
      registry,
      upstream: 'orm_api',
      signer: auth.signer,
      logger: silent,
      onEvent: (items) => {
        auth.invalidate(items);
        for (const resolve of waiters) resolve(items);
        waiters = [];
      },
      onResubscribed: () => auth.forgetAll(),
      onSubscribed: () => subscribed(),
    });
    feed.start();
    await ready;
    const edge = await startTestGateway({
      yaml: `
upstreams:
  orm_api: { url: ${orm.url} }
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
`,
      auth,
      localRoutes: createAuthRoutes(auth),
    });
    const replica = { auth, feed, edge, nextEvent: () => new Promise<Invalidation[]>((resolve) => waiters.push(resolve)) };
    replicas.push(replica);
    return replica;
  }

  it('refuses a key deactivated through one replica on the other as soon as the orm pushes the event', async () => {
    const [first, second] = [await startFeedReplica(), await startFeedReplica()];
    const login = await call(first as unknown as Replica, 'POST', '/api/v1/auth/login', {}, { username: adminMail, password: ADMIN_PASSWORD });
    const admin = ((await login.json()) as { access_token: string }).access_token;
    const { key, api_key_id } = await newKey(first as unknown as Replica, admin);
    expect((await call(second as unknown as Replica, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })).status).toBe(200);
    const arrived = second.nextEvent();
    const revoke = await call(first as unknown as Replica, 'PATCH', `/api/v1/orm/api_keys/${api_key_id}/deactivate`, { authorization: `Bearer ${admin}` });
    expect(revoke.status).toBe(200);
    expect(await arrived).toEqual([{ kind: 'api_key', id: api_key_id }]);
    expect((await call(second as unknown as Replica, 'GET', '/api/v1/orm/users/me', { 'x-api-key': key })).status).toBe(401);
  });

  it('keeps the event stream to the gateway (401 without its assertion)', async () => {
    const response = await fetch(`${orm.url}/internal/auth/events`);
    expect(response.status).toBe(401);
  });
});
