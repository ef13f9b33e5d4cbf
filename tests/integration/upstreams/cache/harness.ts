// Test harness for the cache upstream: the real app in-process on port 0, on
// this worker's Redis db with a key prefix of its own, a fake orm for
// ownership, and a small WebSocket client that awaits replies by request_id.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { WebSocket, type ClientOptions } from 'ws';
import { createCacheApp, type CacheApp } from '../../../../upstreams/cache/app.ts';
import { CACHE_DEFAULTS, type CacheSettings } from '../../../../upstreams/cache/settings.ts';
import { createLayout, type CacheLayout } from '../../../../upstreams/cache/store/layout.ts';
import { RedisStore } from '../../../../upstreams/cache/store/redis-store.ts';
import type { CacheStore } from '../../../../upstreams/cache/store/types.ts';
import { TEST_ASSERTION_ENV, makeServiceIdentity, signTestAssertion, type TestIdentity } from '../../../helpers/assertion.ts';
import { workerRedis } from '../../../helpers/isolation.ts';
import { startFakeOrm, type FakeOrm } from '../../../unit/upstreams/cache/privacy/fake-orm.ts';

export interface CacheHarness {
  url: string;
  wsUrl: string;
  cache: CacheApp;
  /** Direct Redis connection (db of this worker) to write/publish like a fullon daemon. */
  redis: Redis;
  layout: CacheLayout;
  prefix: string;
  orm: FakeOrm;
  overflows: number;
  connect(path: string, identity: TestIdentity | null, options?: ClientOptions): Promise<TestClient>;
  assertion(identity: TestIdentity): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<CacheSettings>;
  /** Build the app over this store instead of Redis (e.g. a counting or in-process store). */
  store?: (redisUrl: string) => CacheStore;
}

export const ADMIN: TestIdentity = { userId: 1, role: 'admin' };
export const ALICE: TestIdentity = { userId: 7, role: 'user' };

export async function startCacheHarness(options: HarnessOptions = {}): Promise<CacheHarness> {
  const { url: redisUrl } = workerRedis();
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const identity = makeServiceIdentity('cache_api');
  const orm = await startFakeOrm(identity.jwks);
  const settings: CacheSettings = { ...CACHE_DEFAULTS, redisUrl, keyPrefix: prefix, ormUrl: orm.url, pollIntervalMs: 20, ...options.settings };
  const store = options.store ? options.store(redisUrl) : new RedisStore({ url: redisUrl });
  const state = { overflows: 0 };
  const cache = await createCacheApp({
    settings,
    logger: pino({ level: 'silent' }),
    env: { ...TEST_ASSERTION_ENV, ...identity.env },
    store,
    onOverflow: () => void state.overflows++,
  });
  await cache.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = cache.app.server.address() as AddressInfo;
  const redis = new Redis(redisUrl);
  const clients: TestClient[] = [];
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    cache,
    redis,
    layout: createLayout(prefix),
    prefix,
    orm,
    get overflows() {
      return state.overflows;
    },
    assertion: (identity) => signTestAssertion('cache_api', identity),
    async connect(path, identity, clientOptions = {}) {
      const headers: Record<string, string> = identity ? { 'x-gateway-assertion': await signTestAssertion('cache_api', identity) } : {};
      const client = await TestClient.open(`ws://127.0.0.1:${port}${path}`, { ...clientOptions, headers });
      clients.push(client);
      return client;
    },
    async close() {
      clients.forEach((client) => client.socket.terminate());
      await cache.app.close();
      await store.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await orm.close();
    },
  };
}

export type Message = Record<string, unknown>;

export class TestClient {
  readonly socket: WebSocket;
  readonly messages: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  #claimed = new Set<Message>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      this.messages.push(message);
      const index = this.#waiters.findIndex((waiter) => waiter.match(message));
      if (index >= 0) {
        this.#claimed.add(message);
        this.#waiters.splice(index, 1)[0]!.resolve(message);
      }
    });
  }

  static open(url: string, options: ClientOptions): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (request, response) => {
        // Free the connection, or the server's close would wait for it.
        request.destroy();
        reject(new UpgradeRefused(response.statusCode ?? 0));
      });
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (from now, or an earlier unclaimed one) matching `match`. */
  next(match: (m: Message) => boolean = () => true): Promise<Message> {
    const earlier = this.messages.find((m) => !this.#claimed.has(m) && match(m));
    if (earlier) {
      this.#claimed.add(earlier);
      return Promise.resolve(earlier);
    }
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** Sends {action, request_id, params} and awaits the reply carrying that request_id. */
  request(action: string, params: unknown = {}, requestId: string = `r-${randomBytes(4).toString('hex')}`): Promise<Message> {
    const reply = this.next((m) => m.request_id === requestId && (m.success !== undefined || m.error_code !== undefined));
    this.send({ action, request_id: requestId, params });
    return reply;
  }

  /** Resolves once every message sent before it has been processed (ping round trip). */
  async sync(): Promise<void> {
    await this.request('ping');
  }

  updates(streamKey: string): Message[] {
    return this.messages.filter((m) => (m.result as Message | undefined)?.stream_key === streamKey && String(m.action).endsWith('_update'));
  }
}

export class UpgradeRefused extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`upgrade refused with ${status}`);
    this.status = status;
  }
}
