// Example: what an authenticated request looks like end to end. A regular user
// logs in (JSON body this time), reads their own record through the gateway,
// is refused admin-only endpoints (403 "Admin access required") and other
// users' records, and cannot impersonate anyone by sending x-user-* or
// x-gateway-assertion headers themselves.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/authenticated_request.ts
import assert from 'node:assert/strict';
import { adminCredentials, createUser, fetchJson } from './lib/client.ts';

/** JSON login ({email, password}), the other body DESIGN.md accepts. */
async function login(mail: string, password: string): Promise<string> {
  const answer = await fetchJson('/api/v1/auth/login', { body: { email: mail, password } });
  assert.equal(answer.status, 200, `login of ${mail} failed: ${JSON.stringify(answer.body)}`);
  return String(answer.body.access_token);
}

async function main(): Promise<void> {
  const credentials = adminCredentials();
  assert.ok(credentials.password, 'set ADMIN_PASSWORD');
  const admin = await login(credentials.mail, credentials.password);
  const adminMe = await fetchJson('/api/v1/orm/users/me', { token: admin });
  assert.equal(adminMe.status, 200);

  const { mail, password, uid } = await createUser(admin, 'authreq', { name: 'Regular', lastname: 'User' });
  const token = await login(mail, password);

  // The user's own record, through the gateway.
  const me = await fetchJson('/api/v1/orm/users/me', { token });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.mail, mail);
  assert.equal(me.body.uid, uid);
  console.log('GET /api/v1/orm/users/me →', { uid: me.body.uid, mail: me.body.mail, name: me.body.name });

  // Admin-only endpoints: 403 with the fullon detail.
  const users = await fetchJson('/api/v1/orm/users', { token });
  assert.equal(users.status, 403, JSON.stringify(users.body));
  assert.deepEqual(users.body, { detail: 'Admin access required' });
  assert.equal((await fetchJson('/api/v1/orm/users', { token: admin })).status, 200);

  // Someone else's record is not theirs to read.
  assert.equal((await fetchJson(`/api/v1/orm/users/${adminMe.body.uid}`, { token })).status, 404);

  // Forged identity headers change nothing: the gateway strips them and sets its own.
  const forged = await fetchJson('/api/v1/orm/users/me', {
    token,
    headers: { 'x-user-id': String(adminMe.body.uid), 'x-user-role': 'admin', 'x-user-email': credentials.mail, 'x-gateway-assertion': 'forged', connection: 'x-user-id' },
  });
  assert.equal(forged.status, 200);
  assert.equal(forged.body.mail, mail, 'forged headers must not switch identity');
  const forgedAnonymous = await fetchJson('/api/v1/orm/users/me', { headers: { 'x-user-id': String(adminMe.body.uid), 'x-gateway-assertion': 'forged' } });
  assert.equal(forgedAnonymous.status, 401);

  console.log('authenticated_request: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
