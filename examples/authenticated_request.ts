// Example: what an authenticated request looks like end to end. A regular user
// logs in (JSON body this time), reads their own record through the gateway,
// is refused admin-only endpoints (403 "Admin access required") and other
// users' records, and cannot impersonate anyone by sending x-user-* or
// x-gateway-assertion headers themselves.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/authenticated_request.ts
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const GATEWAY_URL = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000';
const ADMIN_MAIL = process.env.ADMIN_MAIL ?? 'admin@fullon';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? '';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, token: string | null, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${GATEWAY_URL}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** JSON login ({email, password}), the other body DESIGN.md accepts. */
async function login(mail: string, password: string): Promise<string> {
  const answer = await call('POST', '/api/v1/auth/login', null, { body: { email: mail, password } });
  assert.equal(answer.status, 200, `login of ${mail} failed: ${JSON.stringify(answer.body)}`);
  return String(answer.body.access_token);
}

async function main(): Promise<void> {
  assert.ok(ADMIN_PASSWORD, 'set ADMIN_PASSWORD');
  const admin = await login(ADMIN_MAIL, ADMIN_PASSWORD);
  const adminMe = await call('GET', '/api/v1/orm/users/me', admin);
  assert.equal(adminMe.status, 200);

  const mail = `authreq-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const created = await call('POST', '/api/v1/orm/users', admin, { body: { mail, password, name: 'Regular', lastname: 'User' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = await login(mail, password);

  // The user's own record, through the gateway.
  const me = await call('GET', '/api/v1/orm/users/me', token);
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.mail, mail);
  assert.equal(me.body.uid, created.body.uid);
  console.log('GET /api/v1/orm/users/me →', { uid: me.body.uid, mail: me.body.mail, name: me.body.name });

  // Admin-only endpoints: 403 with the fullon detail.
  const users = await call('GET', '/api/v1/orm/users', token);
  assert.equal(users.status, 403, JSON.stringify(users.body));
  assert.deepEqual(users.body, { detail: 'Admin access required' });
  assert.equal((await call('GET', '/api/v1/orm/users', admin)).status, 200);

  // Someone else's record is not theirs to read.
  assert.equal((await call('GET', `/api/v1/orm/users/${adminMe.body.uid}`, token)).status, 404);

  // Forged identity headers change nothing: the gateway strips them and sets its own.
  const forged = await call('GET', '/api/v1/orm/users/me', token, {
    headers: { 'x-user-id': String(adminMe.body.uid), 'x-user-role': 'admin', 'x-user-email': ADMIN_MAIL, 'x-gateway-assertion': 'forged', connection: 'x-user-id' },
  });
  assert.equal(forged.status, 200);
  assert.equal(forged.body.mail, mail, 'forged headers must not switch identity');
  const forgedAnonymous = await call('GET', '/api/v1/orm/users/me', null, { headers: { 'x-user-id': String(adminMe.body.uid), 'x-gateway-assertion': 'forged' } });
  assert.equal(forgedAnonymous.status, 401);

  console.log('authenticated_request: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
