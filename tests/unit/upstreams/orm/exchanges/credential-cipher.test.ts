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

  it('warns when no key is configured and still works with the development key', () => {
    const warnings: unknown[] = [];
    const cipher = createCredentialCipher(undefined, { warn: (message: unknown) => warnings.push(message) } as never);
    expect(warnings).toHaveLength(1);
    expect(cipher.decrypt(cipher.encrypt(credentials))).toEqual(credentials);
  });
});
