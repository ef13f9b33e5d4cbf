// Test harness for the orm upstream: the app in-process (fastify inject) over a
// migrated database — this worker's Postgres database or a temp PGlite — and
// helpers to call it as a given user with a signed gateway assertion.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import { createLogger } from '../../../../upstreams/common/logger.ts';
import { createOrmApp } from '../../../../upstreams/orm/app.ts';
import { migrateOrm } from '../../../../upstreams/orm/migrations/index.ts';
import { insertUser } from '../../../../upstreams/orm/users/user-store.ts';
import { TEST_ASSERTION_ENV, signTestAssertion, type TestIdentity } from '../../../helpers/assertion.ts';
import { uniqueMail, workerDatabaseUrl } from '../../../helpers/isolation.ts';

export type DbKind = 'postgres' | 'pglite';

export const ORM_TEST_ENV = {
  ...TEST_ASSERTION_ENV,
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: 'silent',
  EXCHANGE_SECRET_KEY: 'test-exchange-secret-key',
  ADMIN_MAIL: 'admin@fullon',
};

export interface OrmHarness {
  kind: DbKind;
  app: FastifyInstance;
  db: Db;
  close(): Promise<void>;
}

export async function openOrmHarness(kind: DbKind = 'postgres'): Promise<OrmHarness> {
  let db: Db;
  let removeDir = () => {};
  if (kind === 'postgres') {
    db = await openDatabase({ url: await workerDatabaseUrl('orm'), name: 'orm', poolSize: 20 });
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'fullon-orm-'));
    db = await openDatabase({ dataDir: dir, name: 'orm' });
    removeDir = () => rmSync(dir, { recursive: true, force: true });
  }
  await migrateOrm(db);
  const app = createOrmApp({ db, env: ORM_TEST_ENV, logger: createLogger('orm', 'silent') });
  await app.ready();
  return {
    kind,
    app,
    db,
    async close() {
      await app.close();
      await db.close();
      removeDir();
    },
  };
}

export interface TestUser {
  uid: number;
  mail: string;
  password: string;
  identity: TestIdentity;
}

export const TEST_PASSWORD = 'correct horse battery';

/** Inserts a user directly (bcrypt cost 4) and returns the identity to call as. */
export async function createTestUser(h: OrmHarness, options: { role?: 'admin' | 'user'; active?: boolean; scopes?: string[] } = {}): Promise<TestUser> {
  const mail = uniqueMail(options.role ?? 'user');
  const user = await insertUser(h.db, { mail, password: TEST_PASSWORD, role: options.role ?? 'user', name: 'Test', lastname: 'User', active: options.active ?? true }, 4);
  return { uid: user.uid, mail, password: TEST_PASSWORD, identity: { userId: user.uid, email: mail, role: options.role ?? 'user', scopes: options.scopes ?? [] } };
}

export const GATEWAY: TestIdentity = { userId: 0, email: 'gateway@internal', role: 'admin', authMethod: 'gateway' };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Calls the app as `who` (a TestUser, an identity, or null for no assertion). */
export async function call(h: OrmHarness, who: TestUser | TestIdentity | null, method: Method, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const identity = who && 'identity' in who ? who.identity : who;
  const headers: Record<string, string> = {};
  if (identity) headers['x-gateway-assertion'] = await signTestAssertion('orm_api', identity);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return h.app.inject({ method, url, headers, ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
}
