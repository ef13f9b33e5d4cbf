// Example: what a fullon client does with tokens and symbols, unchanged (DESIGN.md
// "Compatibility with fullon clients").
// 1. A fullon service mints its own token the way fullon_master_api's JWTHandler
//    did (HS256 with the shared JWT_SECRET_KEY; sub, user_id, username, email,
//    exp; no iss/aud): the gateway accepts it as the user the orm knows.
// 2. The gateway's own tokens carry the same claims and no aud, so a fullon
//    Python service (PyJWT without an audience) accepts them too.
// 3. Symbols travel URL-encoded in paths (BTC%2FUSDC), as fullon clients send them.
// 4. Deactivating the user through the gateway refuses both tokens on the very
//    next request.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... JWT_SECRET_KEY=... npx node examples/fullon_tokens.ts
import assert from 'node:assert/strict';
import { SignJWT, decodeJwt } from 'jose';
import { createUser, fetchJson, login, loginAsAdmin } from './lib/client.ts';

function fullonToken(userId: number, username: string, secret: string): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + 60 * 60;
  return new SignJWT({ sub: username, user_id: userId, username, email: null, exp }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

async function main(): Promise<void> {
  const secret = process.env.JWT_SECRET_KEY;
  assert.ok(secret, 'set JWT_SECRET_KEY (the secret the gateway signs with)');
  const admin = await loginAsAdmin();
  const user = await createUser(admin, 'fullon-token', { name: 'Fullon', lastname: 'Client' });

  // 1. A token minted the fullon way works; who it is comes from the orm.
  const minted = await fullonToken(user.uid, 'fullon-client', secret);
  const me = await fetchJson('/api/v1/orm/users/me', { token: minted });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.mail, user.mail);
  const verify = await fetchJson('/api/v1/auth/verify', { token: minted });
  assert.deepEqual({ id: verify.body.user_id, email: verify.body.email, role: verify.body.role }, { id: user.uid, email: user.mail, role: 'user' });

  // 2. Our own tokens: fullon's claims, no aud.
  const own = await login(user.mail, user.password);
  const claims = decodeJwt(own);
  assert.equal(claims.aud, undefined, 'PyJWT refuses a token with aud when it is not given one');
  assert.deepEqual([claims.sub, claims.user_id, claims.username, claims.email], [user.mail, user.uid, user.mail, user.mail]);
  assert.equal(typeof claims.exp, 'number');

  // A fullon-format token that is not HS256 with the shared secret is refused.
  const forged = await new SignJWT({ sub: 'x', user_id: user.uid, exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(secret));
  assert.equal((await fetchJson('/api/v1/orm/users/me', { token: forged })).status, 401);

  // 3. An encoded symbol is one path segment, through the gateway to the upstream.
  const candles = await fetchJson(`/api/v1/ohlcv/candles/kraken/${encodeURIComponent('BTC/USDC')}/1h?limit=3`, { token: minted });
  assert.equal(candles.status, 200, JSON.stringify(candles.body));
  const traversal = await fetchJson('/api/v1/ohlcv/candles/kraken/a%2F..%2Fb/1h', { token: minted });
  assert.equal(traversal.status, 400, 'a dot segment hidden behind %2F is refused');

  // 4. Deactivated through the gateway: refused on the very next request, whatever the token.
  const patched = await fetchJson(`/api/v1/orm/users/${user.uid}`, { token: admin, method: 'PATCH', body: { active: false } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.headers.get('x-auth-invalidate'), null, 'the revocation header is for the gateway only');
  for (const token of [minted, own]) assert.equal((await fetchJson('/api/v1/orm/users/me', { token })).status, 401);

  console.log('fullon_tokens: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
