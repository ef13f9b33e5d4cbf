// The gateway assertion key's life (docs/threat-model.md): per run when every
// upstream is supervised, kept owner-only in DATA_DIR when one is external, from
// the environment when given, and rotated without downtime — upstreams accept the
// current and the previous key, and one reading the JWKS file picks up a rotation
// without a restart.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_DIR, PRIVATE_KEY_FILE, PUBLIC_JWKS_FILE, loadGatewayAssertionKey, rotateGatewayAssertionKey } from '../../../gateway/auth/assertion-key.ts';
import { AssertionSigner } from '../../../gateway/auth/assertion-signer.ts';
import { createAssertionVerifier } from '../../../upstreams/common/assertion.ts';
import { loadAssertionKeys } from '../../../upstreams/common/assertion-keys.ts';

const USER = { userId: 3, email: 'u@example.com', role: 'user' as const, scopes: [], authMethod: 'jwt' as const };
let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hops-keys-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const signWith = (key: { privateKey: import('node:crypto').KeyObject; kid: string }) => new AssertionSigner({ key: key.privateKey, kid: key.kid }).sign(USER, 'orm_api');
const mode = (path: string) => statSync(path).mode & 0o777;

describe('where the gateway key comes from', () => {
  it('is new every run when all upstreams are supervised, and never written as a private key', () => {
    const first = loadGatewayAssertionKey({ env: {}, dataDir, persist: false });
    const second = loadGatewayAssertionKey({ env: {}, dataDir, persist: false });
    expect(first.kid).not.toBe(second.kid);
    expect(first.source).toBe('run');
    expect(() => statSync(join(dataDir, KEY_DIR, PRIVATE_KEY_FILE))).toThrow();
    // The public JWKS is written for external upstreams on this host: public members only.
    const jwks = JSON.parse(readFileSync(join(dataDir, KEY_DIR, PUBLIC_JWKS_FILE), 'utf8'));
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: second.kid, kty: 'OKP', crv: 'Ed25519' })]);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  it('survives a restart under DATA_DIR (owner-only) when an upstream is external', () => {
    const first = loadGatewayAssertionKey({ env: {}, dataDir, persist: true });
    const again = loadGatewayAssertionKey({ env: {}, dataDir, persist: true });
    expect(again.kid).toBe(first.kid);
    expect(again.source).toBe('data_dir');
    expect(mode(join(dataDir, KEY_DIR))).toBe(0o700);
    expect(mode(join(dataDir, KEY_DIR, PRIVATE_KEY_FILE))).toBe(0o600);
  });

  it('takes GATEWAY_ASSERTION_PRIVATE_KEY (PEM) from the environment, and refuses a key that is not Ed25519', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const a = loadGatewayAssertionKey({ env: { GATEWAY_ASSERTION_PRIVATE_KEY: pem }, dataDir, persist: true });
    const b = loadGatewayAssertionKey({ env: { GATEWAY_ASSERTION_PRIVATE_KEY: pem }, dataDir, persist: false });
    expect(a.kid).toBe(b.kid);
    expect(a.source).toBe('env');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(() => loadGatewayAssertionKey({ env: { GATEWAY_ASSERTION_PRIVATE_KEY: rsa }, dataDir, persist: false })).toThrow(/Ed25519/);
    expect(() => loadGatewayAssertionKey({ env: { GATEWAY_ASSERTION_PRIVATE_KEY: 'not a key' }, dataDir, persist: false })).toThrow(/not a PEM private key/);
  });
});

describe('rotation without downtime', () => {
  it('an upstream given the current and previous keys accepts both, and refuses the old one once it is dropped', async () => {
    const old = loadGatewayAssertionKey({ env: {}, dataDir, persist: true });
    rotateGatewayAssertionKey(dataDir);
    const current = loadGatewayAssertionKey({ env: {}, dataDir, persist: true });
    expect(current.kid).not.toBe(old.kid);
    expect(current.jwks.keys.map((key) => key.kid)).toEqual([current.kid, old.kid]);
    const both = createAssertionVerifier({ audience: 'orm_api', keys: loadAssertionKeys({ GATEWAY_ASSERTION_JWKS: JSON.stringify(current.jwks) }) });
    await expect(both(await signWith(old))).resolves.toMatchObject({ userId: 3 });
    await expect(both(await signWith(current))).resolves.toMatchObject({ userId: 3 });
    // A second rotation drops the first key.
    rotateGatewayAssertionKey(dataDir);
    const third = loadGatewayAssertionKey({ env: {}, dataDir, persist: true });
    const later = createAssertionVerifier({ audience: 'orm_api', keys: loadAssertionKeys({ GATEWAY_ASSERTION_JWKS: JSON.stringify(third.jwks) }) });
    await expect(later(await signWith(old))).rejects.toThrow();
    await expect(later(await signWith(current))).resolves.toMatchObject({ userId: 3 });
  });

  it('an external upstream reading GATEWAY_ASSERTION_JWKS_FILE accepts the new key at once, without a restart, and still the old one', async () => {
    const old = loadGatewayAssertionKey({ env: {}, dataDir, persist: true });
    const verify = createAssertionVerifier({ audience: 'orm_api', keys: loadAssertionKeys({ GATEWAY_ASSERTION_JWKS_FILE: join(dataDir, KEY_DIR, PUBLIC_JWKS_FILE) }) });
    const before = await signWith(old);
    await expect(verify(before)).resolves.toMatchObject({ userId: 3 });
    rotateGatewayAssertionKey(dataDir);
    const next = loadGatewayAssertionKey({ env: {}, dataDir, persist: true }); // the gateway's next start
    await expect(verify(await signWith(next))).resolves.toMatchObject({ userId: 3 });
    await expect(verify(before)).resolves.toMatchObject({ userId: 3 });
  });

  it('takes the previous public key from GATEWAY_ASSERTION_PREVIOUS_PUBLIC_KEY when the key comes from the environment', () => {
    const oldKey = generateKeyPairSync('ed25519');
    const newKey = generateKeyPairSync('ed25519');
    const key = loadGatewayAssertionKey({
      env: {
        GATEWAY_ASSERTION_PRIVATE_KEY: newKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
        GATEWAY_ASSERTION_PREVIOUS_PUBLIC_KEY: oldKey.publicKey.export({ format: 'pem', type: 'spki' }) as string,
      },
      dataDir,
      persist: false,
    });
    expect(key.jwks.keys).toHaveLength(2);
  });
});

describe('what upstreams refuse to load', () => {
  it('a JWKS that carries a private key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = { ...(privateKey.export({ format: 'jwk' }) as object), kid: 'k' };
    expect(() => loadAssertionKeys({ GATEWAY_ASSERTION_JWKS: JSON.stringify({ keys: [jwk] }) })).toThrow(/private key/);
  });

  it('no gateway key at all when NODE_ENV=production', () => {
    expect(() => loadAssertionKeys({ NODE_ENV: 'production' })).toThrow(/GATEWAY_ASSERTION_JWKS/);
  });
});
