// Example: the fullon API-key flow (DESIGN.md "Auth": X-API-Key works wherever a
// token does; a deactivated or expired key is refused within 5 s).
// Log in, create a key (POST /api/v1/orm/api_keys/me), use it, list keys,
// deactivate it, see it refused (polling, within 5 s), see a key created already
// expired refused, a malformed key refused — and the JWT still working.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/api_key_auth.ts
import assert from 'node:assert/strict';
import { createUser, fetchJson, login, loginAsAdmin } from './lib/client.ts';

/** DESIGN.md: deactivation is honoured within 5 s; a little slack for the round trips. */
const REFUSAL_DEADLINE_MS = 6_000;

/** Polls until the key is refused (never a blind sleep); fails past the deadline. */
async function expectRefusedWithin(apiKey: string, deadlineMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answer = await fetchJson('/api/v1/orm/users/me', { apiKey });
    if (answer.status === 401) return Date.now() - started;
    assert.equal(answer.status, 200, `unexpected ${answer.status}: ${JSON.stringify(answer.body)}`);
    assert.ok(Date.now() - started < deadlineMs, `key still accepted after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const admin = await loginAsAdmin();

  // A user of our own, so the example is independent of whatever else runs.
  const { mail, password } = await createUser(admin, 'apikey', { name: 'Key', lastname: 'Example' });
  const token = await login(mail, password);

  // 1. Create a key; the key itself is shown once.
  const made = await fetchJson('/api/v1/orm/api_keys/me', { token, body: { name: 'example key', scopes: [] } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const apiKey = String(made.body.key ?? made.body.api_key);
  const keyId = made.body.api_key_id as number;
  assert.match(apiKey, /^fullon_ak_/);
  console.log(`created key ${apiKey.slice(0, 12)}… (id ${keyId})`);

  // 2. Use it instead of the token.
  const me = await fetchJson('/api/v1/orm/users/me', { apiKey });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.mail, mail);
  const verify = await fetchJson('/api/v1/auth/verify', { apiKey });
  assert.equal(verify.status, 200);
  assert.equal(verify.body.email, mail);

  // 3. List: the key is there, shown by prefix only.
  const list = await fetchJson('/api/v1/orm/api_keys/me', { apiKey });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const items = list.body as Array<Record<string, unknown>>;
  const listed = items.find((item) => item.api_key_id === keyId);
  assert.ok(listed, 'new key missing from the list');
  assert.equal(JSON.stringify(listed).includes(apiKey), false, 'the list must not show the full key');

  // 4. Deactivate it: refused within 5 s.
  const deactivated = await fetchJson(`/api/v1/orm/api_keys/${keyId}/deactivate`, { token, method: 'PATCH' });
  assert.equal(deactivated.status, 200, JSON.stringify(deactivated.body));
  assert.equal(deactivated.body.is_active, false);
  // Through the gateway that deactivated it, the very next request is refused (no waiting).
  const next = await fetchJson('/api/v1/orm/users/me', { apiKey });
  assert.equal(next.status, 401, `deactivated key still accepted on the next request: ${JSON.stringify(next.body)}`);
  const tookMs = await expectRefusedWithin(apiKey, REFUSAL_DEADLINE_MS);
  console.log(`deactivated key refused on the next request (${tookMs} ms)`);

  // 5. A key created already expired is refused at once.
  const expired = await fetchJson('/api/v1/orm/api_keys/me', { token, body: { name: 'expired key', expires_at: new Date(Date.now() - 60_000).toISOString() } });
  assert.equal(expired.status, 200, JSON.stringify(expired.body));
  assert.equal((await fetchJson('/api/v1/orm/users/me', { apiKey: String(expired.body.key ?? expired.body.api_key) })).status, 401);

  // 6. Malformed and unknown keys.
  for (const bad of ['not-a-key', 'fullon_ak_', `fullon_ak_${'x'.repeat(43)}`, '']) {
    const answer = await fetchJson('/api/v1/orm/users/me', { apiKey: bad });
    assert.equal(answer.status, 401, `key ${JSON.stringify(bad)} → ${answer.status}`);
    assert.equal(typeof answer.body.detail, 'string');
  }

  // 7. The JWT is unaffected.
  assert.equal((await fetchJson('/api/v1/orm/users/me', { token })).status, 200);

  console.log('api_key_auth: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
