import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuthSettingsError } from '../../../../gateway/auth/settings.ts';
import { loadSigningKeys } from '../../../../gateway/auth/signing-keys.ts';
import { testSettings } from './support/auth-fixtures.ts';

function pemFiles(pairs: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'fullon-signing-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return Object.fromEntries(Object.entries(pairs).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return [name, join(dir, name)];
  }));
}

const ed = () => generateKeyPairSync('ed25519');
const privatePem = (pair: ReturnType<typeof ed>) => pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const publicPem = (pair: ReturnType<typeof ed>) => pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;

describe('loadSigningKeys', () => {
  it('derives the public half when JWT_PUBLIC_KEY_FILE is absent', async () => {
    const files = pemFiles({ 'p.pem': privatePem(ed()) });
    const keys = await loadSigningKeys(testSettings({ JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY_FILE: files['p.pem']! }));
    expect(keys.jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('refuses a public key that is not the private key’s half', async () => {
    const files = pemFiles({ 'p.pem': privatePem(ed()), 'q.pem': publicPem(ed()) });
    await expect(loadSigningKeys(testSettings({ JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY_FILE: files['p.pem']!, JWT_PUBLIC_KEY_FILE: files['q.pem']! }))).rejects.toThrow(AuthSettingsError);
  });

  it('refuses a key of the wrong type for the algorithm', async () => {
    const files = pemFiles({ 'p.pem': privatePem(ed()) });
    await expect(loadSigningKeys(testSettings({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: files['p.pem']! }))).rejects.toThrow(AuthSettingsError);
  });

  it('refuses a file that is not a PEM key', () => {
    const files = pemFiles({ 'p.pem': 'hello' });
    expect(() => testSettings({ JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY_FILE: files['p.pem']! })).toThrow(AuthSettingsError);
  });

  it('publishes no key for HS256', async () => {
    expect((await loadSigningKeys(testSettings())).jwks).toEqual({ keys: [] });
  });
});
