import { describe, expect, it } from 'vitest';
import { createCredentialCipher } from '../../../../../upstreams/orm/exchanges/credential-cipher.ts';

describe('createCredentialCipher', () => {
  const credentials = { key: 'api-key', secret: 'very-secret', passphrase: 'pp' };

  it('round-trips credentials and never stores them in clear', () => {
    const cipher = createCredentialCipher('a passphrase from the environment');
    const stored = cipher.encrypt(credentials);
    expect(stored).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain('very-secret');
    expect(cipher.decrypt(stored)).toEqual(credentials);
  });

  it('uses a fresh IV per encryption', () => {
    const cipher = createCredentialCipher('k');
    expect(cipher.encrypt(credentials)).not.toBe(cipher.encrypt(credentials));
  });

  it('accepts a 64-hex-char key as raw key material', () => {
    const hex = 'ab'.repeat(32);
    expect(createCredentialCipher(hex).decrypt(createCredentialCipher(hex).encrypt(credentials))).toEqual(credentials);
  });

  it('refuses to decrypt with another key or after tampering', () => {
    const stored = createCredentialCipher('one').encrypt(credentials);
    expect(() => createCredentialCipher('two').decrypt(stored)).toThrow();
    const parts = stored.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => createCredentialCipher('one').decrypt(parts.join('.'))).toThrow();
    expect(() => createCredentialCipher('one').decrypt('v0.x.y.z')).toThrow(/format/);
  });

  it('still reads values an earlier release wrote with its public development key, and says so', () => {
    // What createCredentialCipher(undefined) stored before keys were generated per install.
    const legacy = createCredentialCipher('fullon-dev-only-exchange-secret-key').encrypt(credentials);
    const warnings: unknown[] = [];
    const cipher = createCredentialCipher('ab'.repeat(32), { warn: (message: unknown) => warnings.push(message) } as never);
    expect(cipher.decrypt(legacy)).toEqual(credentials);
    expect(warnings).toHaveLength(1);
    expect(() => cipher.decrypt(createCredentialCipher('some other key').encrypt(credentials))).toThrow();
  });

  it('refuses to run without key material', () => {
    expect(() => createCredentialCipher('')).toThrow(/key material/);
  });
});
