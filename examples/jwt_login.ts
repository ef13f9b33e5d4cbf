// Example: JWT login as a fullon client does it (DESIGN.md "Auth").
// OAuth2 password form as admin → access_token; GET /api/v1/auth/verify reports
// who we are; a call through the gateway with the token works; the same call
// without it, or with a tampered token, is 401 with WWW-Authenticate: Bearer;
// a wrong password is 401 "Invalid credentials"; a login without fields is 422.
// Run: GATEWAY_URL=http://127.0.0.1:8000 admin.mail=... ADMIN_PASSWORD=... npx node examples/jwt_login.ts
import assert from 'node:assert/strict';
import { adminCredentials, fetchJson } from './lib/client.ts';

async function main(): Promise<void> {
  const admin = adminCredentials();
  assert.ok(admin.password, 'set ADMIN_PASSWORD');

  // 1. Log in with the OAuth2 password form (username = the user's mail).
  const response = await fetchJson<{ access_token: string; token_type: string; expires_in: number; user: Record<string, unknown> }>('/api/v1/auth/login', {
    form: { username: admin.mail, password: admin.password },
  });
  const login = response.body;
  assert.equal(response.status, 200, `login failed: ${JSON.stringify(login)}`);
  assert.equal(login.token_type, 'bearer');
  assert.ok(login.expires_in > 0);
  assert.equal(login.user.mail, admin.mail);
  assert.equal(login.user.role, 'admin');
  console.log(`logged in as ${admin.mail}; token expires in ${login.expires_in} s`);

  // 2. Verify the token.
  const verify = await fetchJson('/api/v1/auth/verify', { token: login.access_token });
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  assert.equal(verify.body.email, admin.mail);
  assert.equal(verify.body.username, admin.mail);
  assert.equal(verify.body.is_active, true);
  assert.equal(verify.body.role, 'admin');
  assert.equal(typeof verify.body.user_id, 'number');
  assert.equal(typeof verify.body.exp, 'number');
  console.log('verify:', verify.body);

  // 3. A call through the gateway to the orm with the token.
  const me = await fetchJson('/api/v1/orm/users/me', { token: login.access_token });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.mail, admin.mail);
  assert.equal(me.body.uid, verify.body.user_id);

  // 4. Without the token, or with a tampered one: 401 and a Bearer challenge.
  const anonymous = await fetchJson('/api/v1/orm/users/me');
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
  assert.equal(typeof anonymous.body.detail, 'string');
  const [header, payload, signature] = login.access_token.split('.');
  const tampered = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
  assert.equal((await fetchJson('/api/v1/orm/users/me', { token: tampered })).status, 401);
  assert.equal((await fetchJson('/api/v1/auth/verify')).status, 401);

  // 5. Bad logins.
  const wrong = await fetchJson('/api/v1/auth/login', { form: { username: admin.mail, password: `${admin.password}-wrong` } });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.body, { detail: 'Invalid credentials' });
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer/);
  const missing = await fetchJson<{ detail: Array<{ loc: string[] }> }>('/api/v1/auth/login', { form: { username: admin.mail } });
  assert.equal(missing.status, 422);
  const detail = missing.body.detail;
  assert.deepEqual(detail.map((issue) => issue.loc), [['body', 'password']]);

  console.log('jwt_login: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
