// Example: the limits that keep one user from hurting others or themselves
// (docs/threat-model.md "Other limits").
// - An API key cannot carry more than its creator's role: a user asking for
//   ["admin","cache:*","ohlcv:*"] gets 422 saying why; fullon's "read,write" works,
//   and /auth/verify reports exactly those scopes.
// - bcrypt reads 72 bytes: a longer password is refused when set, and a 72-byte
//   password followed by anything does not log in.
// - JSON nested deeper than 64 levels is refused with 422 (login, orm writes).
// - A user holds at most CACHE_WS_MAX_SOCKETS_PER_USER (20) cache sockets: one more
//   gets an error frame and is closed with 1008.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/hardening_limits.ts
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { createUser, fetchJson, gatewayUrl, login, loginAsAdmin, wsUrl } from './lib/client.ts';

const SOCKETS_PER_USER = Number(process.env.CACHE_WS_MAX_SOCKETS_PER_USER || 20);

async function scopes(admin: string): Promise<void> {
  const { mail, password } = await createUser(admin, 'scopes');
  const token = await login(mail, password);
  const greedy = await fetchJson('/api/v1/orm/api_keys/me', { token, body: { name: 'greedy', scopes: ['admin', 'cache:*', 'ohlcv:*'] } });
  assert.equal(greedy.status, 422, JSON.stringify(greedy.body));
  const privileged = await fetchJson('/api/v1/orm/api_keys/me', { token, body: { name: 'greedy', scopes: ['read', 'admin'] } });
  assert.equal(privileged.status, 422, JSON.stringify(privileged.body));
  assert.match(privileged.body.detail[0].msg, /scope admin exceeds your role/);
  console.log(`a user asking for admin scope: 422 "${privileged.body.detail[0].msg}"`);
  // fullon's clients send a comma string.
  const made = await fetchJson('/api/v1/orm/api_keys/me', { token, body: { name: 'fullon style', scopes: 'read,write' } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const verify = await fetchJson('/api/v1/auth/verify', { apiKey: String(made.body.key) });
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  assert.deepEqual(verify.body.scopes, ['read', 'write']);
  console.log('"read,write" key works; /auth/verify says', JSON.stringify(verify.body.scopes));
}

async function longPasswords(admin: string): Promise<void> {
  const mail = `long-${randomUUID().slice(0, 8)}@example.com`;
  const exact = 'p'.repeat(72);
  const refused = await fetchJson('/api/v1/orm/users', { token: admin, body: { mail, password: `${exact}x` } });
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.match(JSON.stringify(refused.body.detail), /at most 72 bytes/);
  assert.equal((await fetchJson('/api/v1/orm/users', { token: admin, body: { mail, password: exact } })).status, 200);
  await login(mail, exact);
  const suffixed = await fetchJson('/api/v1/auth/login', { form: { username: mail, password: `${exact}-anything` } });
  assert.equal(suffixed.status, 401, JSON.stringify(suffixed.body));
  console.log('73-byte password refused on create; 72 bytes + suffix does not log in (401)');
}

async function deepJson(admin: string): Promise<void> {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  // (The login's small body limit answers 413 before depth matters past ~8 KB.)
  const loginBody = `{"username":"a@b","password":"x","extra":${nested(1_000)}}`;
  const deepLogin = await fetch(`${gatewayUrl()}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: loginBody });
  assert.equal(deepLogin.status, 422);
  assert.match(await deepLogin.text(), /nested deeper than 64 levels/);
  const deepWrite = await fetch(`${gatewayUrl()}/api/v1/orm/api_keys/me`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: `{"name":"deep","description":${nested(4400)}}`,
  });
  assert.equal(deepWrite.status, 422);
  assert.match(await deepWrite.text(), /nested deeper than 64 levels/);
  console.log('JSON nested 1 000 (login) and 4 400 (orm write) deep: 422');
}

/** Opens a cache socket and records every message and the close, from the first byte. */
function openSocket(token: string): Promise<{ socket: WebSocket; messages: any[]; closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(wsUrl('/api/v1/cache/ws'), { headers: { authorization: `Bearer ${token}` } });
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('error', reject);
  });
}

async function socketCap(admin: string): Promise<void> {
  const { mail, password } = await createUser(admin, 'sockets');
  const token = await login(mail, password);
  const open = [];
  for (let i = 0; i < SOCKETS_PER_USER; i++) open.push(await openSocket(token));
  const extra = await openSocket(token);
  const { code, reason } = await extra.closed;
  assert.equal(code, 1008);
  assert.match(reason, /Too many WebSocket connections: at most \d+ per user/);
  assert.equal(extra.messages[0]?.error_code, 'INVALID_OPERATION');
  console.log(`socket ${SOCKETS_PER_USER + 1} of one user: closed ${code} "${reason}"`);
  // The others still work.
  const first = open[0]!;
  const pong = new Promise((resolve) => first.socket.on('message', (data) => JSON.parse(data.toString()).request_id === 'p' && resolve(true)));
  first.socket.send(JSON.stringify({ action: 'ping', request_id: 'p' }));
  assert.equal(await pong, true);
  for (const s of open) s.socket.close();
  await Promise.all(open.map((s) => s.closed));
}

async function main(): Promise<void> {
  const admin = await loginAsAdmin();
  await scopes(admin);
  await longPasswords(admin);
  await deepJson(admin);
  await socketCap(admin);
  console.log('hardening_limits: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
