import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, looksLikeApiKey, sameHash } from '../../../../../upstreams/orm/api-keys/key-material.ts';

describe('API key material', () => {
  it('generates fullon_ak_ + base64url(32 bytes) with its sha256 and a 12-char prefix', () => {
    const { key, hash, prefix } = generateApiKey();
    expect(key).toMatch(/^fullon_ak_[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(prefix).toBe(key.slice(0, 12));
    expect(generateApiKey().key).not.toBe(key);
  });

  it.each([
    ['fullon_ak_abcdef', true],
    ['fullon_ak', false],
    ['sk_live_abcdefghijkl', false],
    [`fullon_ak_${'a'.repeat(300)}`, false],
  ])('looksLikeApiKey(%s) is %s', (key, expected) => {
    expect(looksLikeApiKey(key)).toBe(expected);
  });

  it('compares hashes in constant time and rejects different lengths', () => {
    const hash = hashApiKey('x');
    expect(sameHash(hash, hash)).toBe(true);
    expect(sameHash(hash, hashApiKey('y'))).toBe(false);
    expect(sameHash(hash, 'abcd')).toBe(false);
  });
});
