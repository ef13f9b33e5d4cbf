// Example: the edge under attack (docs/threat-model.md "What the edge trusts").
// - Failed logins are limited per account: after LOGIN_MAX_FAILURES_PER_ACCOUNT (10)
//   wrong passwords the next login of that account is 429 with Retry-After, even
//   with the right password; an unknown account gets exactly the answers a known one
//   with a wrong password gets.
// - Malformed requests get the JSON 400 the README promises, with a stable code in
//   X-Gateway-Error: a bad chunk size, Transfer-Encoding other than "chunked",
//   CONNECT, a missing Host.
// - Every refusal is one of the catalogue's codes; a bad token is challenged with
//   RFC 6750's error="invalid_token".
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/edge_hardening.ts
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createUser, fetchJson, gatewayUrl, loginAsAdmin } from './lib/client.ts';

const ACCOUNT_LIMIT = Number(process.env.LOGIN_MAX_FAILURES_PER_ACCOUNT || 10);

function tryLogin(username: string, password: string) {
  return fetch(`${gatewayUrl()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
}

async function loginThrottle(admin: string): Promise<void> {
  const { mail, password } = await createUser(admin, 'throttled');
  const wrong = await tryLogin(mail, 'not-the-password');
  const unknown = await tryLogin(`nobody-${Date.now()}@example.com`, 'not-the-password');
  assert.equal(wrong.status, 401);
  assert.deepEqual([unknown.status, await unknown.json(), unknown.headers.get('www-authenticate')], [wrong.status, await wrong.json(), wrong.headers.get('www-authenticate')]);
  console.log('unknown account and wrong password: the same 401');
  for (let i = 1; i < ACCOUNT_LIMIT; i++) assert.equal((await tryLogin(mail, 'not-the-password')).status, 401);
  const refused = await tryLogin(mail, password);
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.equal(refused.headers.get('x-gateway-error'), 'LOGIN_THROTTLED');
  console.log(`after ${ACCOUNT_LIMIT} wrong passwords: 429 ${JSON.stringify(await refused.json())}, Retry-After ${refused.headers.get('retry-after')} s`);
}

function raw(request: string): Promise<{ status: number; code: string | null; body: unknown }> {
  const url = new URL(gatewayUrl());
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), code: /x-gateway-error: (\S+)/i.exec(head)?.[1] ?? null, body: body ? JSON.parse(body) : null });
    });
    socket.write(request);
  });
}

async function malformedRequests(): Promise<void> {
  const cases = {
    'bad chunk size': 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'Transfer-Encoding: identity, chunked': 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n',
    CONNECT: 'CONNECT evil.com:443 HTTP/1.1\r\nHost: evil.com:443\r\n\r\n',
    'no Host': 'GET /health/live HTTP/1.1\r\n\r\n',
  };
  for (const [name, request] of Object.entries(cases)) {
    const answer = await raw(request);
    assert.equal(answer.status, 400, name);
    assert.ok(answer.code, name);
    console.log(`${name}: 400 ${answer.code} ${JSON.stringify(answer.body)}`);
  }
}

async function challenges(): Promise<void> {
  const bad = await fetchJson('/api/v1/orm/users/me', { token: 'not.a.token' });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  console.log(`a bad token: 401 ${bad.headers.get('x-gateway-error')}, WWW-Authenticate ${bad.headers.get('www-authenticate')}`);
}

async function main(): Promise<void> {
  const admin = await loginAsAdmin();
  await loginThrottle(admin);
  await malformedRequests();
  await challenges();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
