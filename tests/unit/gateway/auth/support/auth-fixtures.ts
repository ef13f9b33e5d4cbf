// Shared set-up for the gateway auth unit tests: settings from a test env, an
// EdgeAuth whose orm is a registry entry msw can intercept, and a request stub.
import { IncomingMessage } from 'node:http';
import { http, HttpResponse } from 'msw';
import { Socket } from 'node:net';
import { createEdgeAuth, type GatewayEdgeAuth } from '../../../../../gateway/auth/edge-auth.ts';
import { loadAuthSettings, type AuthSettings } from '../../../../../gateway/auth/settings.ts';
import { UpstreamRegistry } from '../../../../../gateway/registry/upstream-registry.ts';
import { loadAssertionKeys } from '../../../../../upstreams/common/assertion-keys.ts';
import { TEST_ASSERTION_ENV, TEST_ASSERTION_KEY } from '../../../../helpers/assertion.ts';

/** The public keys an upstream would verify the test gateway's assertions with. */
export const TEST_VERIFY_KEYS = loadAssertionKeys(TEST_ASSERTION_ENV);

export const TEST_JWT_SECRET = 'unit-test-jwt-secret-0123456789abcdef-xyz';
/** Base URL msw answers for the orm upstream. */
export const ORM_URL = 'http://orm.auth.test';

export function testSettings(env: Record<string, string> = {}): AuthSettings {
  return loadAuthSettings({ env: { JWT_SECRET_KEY: TEST_JWT_SECRET, ...env }, warn: () => {} });
}

export async function createTestAuth(options: { env?: Record<string, string>; now?: () => number; registry?: UpstreamRegistry } = {}): Promise<{
  auth: GatewayEdgeAuth;
  registry: UpstreamRegistry;
}> {
  const registry = options.registry ?? new UpstreamRegistry();
  if (!options.registry) registry.ensure('orm_api', new URL(ORM_URL), 'up');
  const auth = await createEdgeAuth({
    settings: testSettings(options.env),
    registry,
    assertionKey: TEST_ASSERTION_KEY,
    now: options.now,
  });
  return { auth, registry };
}

/** An IncomingMessage with the given raw headers (name/value pairs, duplicates allowed). */
export function fakeRequest(headers: Array<[string, string]>, url = '/api/v1/orm/users/me'): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.method = 'GET';
  for (const [name, value] of headers) {
    req.rawHeaders.push(name, value);
    const key = name.toLowerCase();
    // Mirror Node's own rule: later duplicates of these are dropped, others joined.
    if (req.headers[key] === undefined) req.headers[key] = value;
    else if (key !== 'authorization') req.headers[key] = `${String(req.headers[key])}, ${value}`;
  }
  return req;
}

export function urlOf(path: string): URL {
  return new URL(path, 'http://gateway.test');
}

export interface OrmUserRecord {
  uid: number;
  mail: string;
  name: string;
  role: 'admin' | 'user';
  active: boolean;
}

/**
 * The orm's users as /internal/auth/user-status answers them: a msw handler
 * reading a map the test fills (unknown uid → 401, as the orm answers).
 */
export function ormUserDirectory(initial: OrmUserRecord[] = []) {
  const users = new Map(initial.map((u) => [u.uid, u]));
  let lookups = 0;
  return {
    users,
    lookups: () => lookups,
    set(user: Partial<OrmUserRecord> & { uid: number }) {
      users.set(user.uid, { mail: `user${user.uid}@example.com`, name: `User ${user.uid}`, role: 'user', active: true, ...users.get(user.uid), ...user });
    },
    handler: http.post(`${ORM_URL}/internal/auth/user-status`, async ({ request }) => {
      lookups++;
      const { uid } = (await request.json()) as { uid: number };
      const found = users.get(uid);
      return found ? HttpResponse.json(found) : HttpResponse.json({ detail: 'Unknown user' }, { status: 401 });
    }),
  };
}
