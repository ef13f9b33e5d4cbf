// Example: JWT login as a fullon client does it (DESIGN.md "Auth").
// OAuth2 password form as admin → access_token; GET /api/v1/auth/verify reports
// who we are; a call through the gateway with the token works; the same call
// without it, or with a tampered token, is 401 with WWW-Authenticate: Bearer;
// a wrong password is 401 "Invalid credentials"; a login without fields is 422.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/jwt_login.ts
import assert from 'node:assert/strict';

const GATEWAY_URL = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000';
const ADMIN_MAIL = process.env.ADMIN_MAIL ?? 'admin@fullon';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? '';

async function postForm(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${GATEWAY_URL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

async function get(path: string, token?: string): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const response = await fetch(`${GATEWAY_URL}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, challenge: response.headers.get('www-authenticate') };
}

async function main(): Promise<void> {
  assert.ok(ADMIN_PASSWORD, 'set ADMIN_PASSWORD');

  // 1. Log in with the OAuth2 password form (username = the user's mail).
  const response = await postForm('/api/v1/auth/login', { username: ADMIN_MAIL, password: ADMIN_PASSWORD });
  const login = (await response.json()) as { access_token: string; token_type: string; expires_in: number; user: Record<string, unknown> };
  assert.equal(response.status, 200, `login failed: ${JSON.stringify(login)}`);
  assert.equal(login.token_type, 'bearer');
  assert.ok(login.expires_in > 0);
  assert.equal(login.user.mail, ADMIN_MAIL);
  assert.equal(login.user.role, 'admin');
  console.log(`logged in as ${ADMIN_MAIL}; token expires in ${login.expires_in} s`);

  // 2. Verify the token.
  const verify = await get('/api/v1/auth/verify', login.access_token);
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  assert.equal(verify.body.email, ADMIN_MAIL);
  assert.equal(verify.body.username, ADMIN_MAIL);
  assert.equal(verify.body.is_active, true);
  assert.equal(verify.body.role, 'admin');
  assert.equal(typeof verify.body.user_id, 'number');
  assert.equal(typeof verify.body.exp, 'number');
  console.log('verify:', verify.body);

  // 3. A call through the gateway to the orm with the token.
  const me = await get('/api/v1/orm/users/me', login.access_token);
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.mail, ADMIN_MAIL);
  assert.equal(me.body.uid, verify.body.user_id);

  // 4. Without the token, or with a tampered one: 401 and a Bearer challenge.
  const anonymous = await get('/api/v1/orm/users/me');
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.challenge ?? '', /^Bearer/);
  assert.equal(typeof anonymous.body.detail, 'string');
  const [header, payload, signature] = login.access_token.split('.');
  const tampered = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
  assert.equal((await get('/api/v1/orm/users/me', tampered)).status, 401);
  assert.equal((await get('/api/v1/auth/verify')).status, 401);

  // 5. Bad logins.
  const wrong = await postForm('/api/v1/auth/login', { username: ADMIN_MAIL, password: `${ADMIN_PASSWORD}-wrong` });
  assert.equal(wrong.status, 401);
  assert.deepEqual(await wrong.json(), { detail: 'Invalid credentials' });
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer/);
  const missing = await postForm('/api/v1/auth/login', { username: ADMIN_MAIL });
  assert.equal(missing.status, 422);
  const detail = ((await missing.json()) as { detail: Array<{ loc: string[] }> }).detail;
  assert.deepEqual(detail.map((issue) => issue.loc), [['body', 'password']]);

  console.log('jwt_login: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
