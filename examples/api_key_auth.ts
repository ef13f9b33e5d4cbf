// Example: the fullon API-key flow (DESIGN.md "Auth": X-API-Key works wherever a
// token does; a deactivated or expired key is refused within 5 s).
// Log in, create a key (POST /api/v1/orm/api_keys/me), use it, list keys,
// deactivate it, see it refused (polling, within 5 s), see a key created already
// expired refused, a malformed key refused — and the JWT still working.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/api_key_auth.ts
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const GATEWAY_URL = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000';
const ADMIN_MAIL = process.env.ADMIN_MAIL ?? 'admin@fullon';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? '';
/** DESIGN.md: deactivation is honoured within 5 s; a little slack for the round trips. */
const REFUSAL_DEADLINE_MS = 6_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, auth: { token?: string; apiKey?: string }, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.apiKey !== undefined) headers['x-api-key'] = auth.apiKey;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${GATEWAY_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function login(mail: string, password: string): Promise<string> {
  const response = await fetch(`${GATEWAY_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: mail, password }),
  });
  const body = (await response.json()) as { access_token?: string };
  assert.equal(response.status, 200, `login of ${mail} failed: ${JSON.stringify(body)}`);
  return body.access_token!;
}

/** Polls until the key is refused (never a blind sleep); fails past the deadline. */
async function expectRefusedWithin(apiKey: string, deadlineMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answer = await call('GET', '/api/v1/orm/users/me', { apiKey });
    if (answer.status === 401) return Date.now() - started;
    assert.equal(answer.status, 200, `unexpected ${answer.status}: ${JSON.stringify(answer.body)}`);
    assert.ok(Date.now() - started < deadlineMs, `key still accepted after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  assert.ok(ADMIN_PASSWORD, 'set ADMIN_PASSWORD');
  const admin = await login(ADMIN_MAIL, ADMIN_PASSWORD);

  // A user of our own, so the example is independent of whatever else runs.
  const mail = `apikey-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const created = await call('POST', '/api/v1/orm/users', { token: admin }, { mail, password, name: 'Key', lastname: 'Example' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = await login(mail, password);

  // 1. Create a key; the key itself is shown once.
  const made = await call('POST', '/api/v1/orm/api_keys/me', { token }, { name: 'example key', scopes: [] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const apiKey = String(made.body.key ?? made.body.api_key);
  const keyId = made.body.api_key_id as number;
  assert.match(apiKey, /^fullon_ak_/);
  console.log(`created key ${apiKey.slice(0, 12)}… (id ${keyId})`);

  // 2. Use it instead of the token.
  const me = await call('GET', '/api/v1/orm/users/me', { apiKey });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.mail, mail);
  const verify = await call('GET', '/api/v1/auth/verify', { apiKey });
  assert.equal(verify.status, 200);
  assert.equal(verify.body.email, mail);

  // 3. List: the key is there, shown by prefix only.
  const list = await call('GET', '/api/v1/orm/api_keys/me', { apiKey });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const items = (list.body.items ?? list.body) as Array<Record<string, unknown>>;
  const listed = items.find((item) => item.api_key_id === keyId);
  assert.ok(listed, 'new key missing from the list');
  assert.equal(JSON.stringify(listed).includes(apiKey), false, 'the list must not show the full key');

  // 4. Deactivate it: refused within 5 s.
  const deactivated = await call('PATCH', `/api/v1/orm/api_keys/${keyId}/deactivate`, { token });
  assert.equal(deactivated.status, 200, JSON.stringify(deactivated.body));
  assert.equal(deactivated.body.is_active, false);
  const tookMs = await expectRefusedWithin(apiKey, REFUSAL_DEADLINE_MS);
  console.log(`deactivated key refused after ${tookMs} ms`);

  // 5. A key created already expired is refused at once.
  const expired = await call('POST', '/api/v1/orm/api_keys/me', { token }, { name: 'expired key', expires_at: new Date(Date.now() - 60_000).toISOString() });
  assert.equal(expired.status, 201, JSON.stringify(expired.body));
  assert.equal((await call('GET', '/api/v1/orm/users/me', { apiKey: String(expired.body.key ?? expired.body.api_key) })).status, 401);

  // 6. Malformed and unknown keys.
  for (const bad of ['not-a-key', 'fullon_ak_', `fullon_ak_${'x'.repeat(43)}`, '']) {
    const answer = await call('GET', '/api/v1/orm/users/me', { apiKey: bad });
    assert.equal(answer.status, 401, `key ${JSON.stringify(bad)} → ${answer.status}`);
    assert.equal(typeof answer.body.detail, 'string');
  }

  // 7. The JWT is unaffected.
  assert.equal((await call('GET', '/api/v1/orm/users/me', { token })).status, 200);

  console.log('api_key_auth: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
